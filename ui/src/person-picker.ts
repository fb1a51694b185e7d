// Choosing a person by typing part of a name, e-mail or phone (the store's full-text index).
import { api, type Person } from "./api";
import { el, errorText } from "./dom";

export interface PersonPicker {
  element: HTMLElement;
  /// The chosen person's id, or null.
  value(): string | null;
  clear(): void;
}

export function personPicker(name: string, label: string, onChoose?: (person: Person) => void): PersonPicker {
  let chosen: Person | null = null;
  const box = el("input", { type: "search", placeholder: "Type a name, e-mail or phone", autocomplete: "off" });
  box.name = `${name}-search`;
  const results = el("ul", { className: "picker-results" });
  const slot = el("span", { className: "field-error", role: "alert" });
  slot.dataset.errorFor = name;
  const hidden = el("input", { type: "hidden", name });
  let latest = 0;
  box.addEventListener("input", async () => {
    chosen = null;
    hidden.value = "";
    const mine = ++latest;
    const query = box.value.trim();
    if (!query) return results.replaceChildren();
    try {
      const people = await api.searchPeople(query);
      if (mine !== latest) return;
      results.replaceChildren(
        ...people.slice(0, 8).map((person) => {
          const option = el("li", {}, el("button", { type: "button", className: "link" }, `${person.nickname ?? person.first_name} ${person.last_name}`), el("span", { className: "muted" }, person.email ?? person.phone ?? ""));
          option.querySelector("button")!.addEventListener("click", () => {
            chosen = person;
            hidden.value = person.id;
            box.value = `${person.nickname ?? person.first_name} ${person.last_name}`;
            results.replaceChildren();
            onChoose?.(person);
          });
          return option;
        }),
      );
      if (people.length === 0) results.replaceChildren(el("li", { className: "muted" }, "No one matches."));
    } catch (error) {
      results.replaceChildren(el("li", { className: "error" }, errorText(error)));
    }
  });
  return {
    element: el("div", { className: "field picker" }, el("span", {}, label), box, hidden, results, slot),
    value: () => chosen?.id ?? null,
    clear: () => {
      chosen = null;
      hidden.value = "";
      box.value = "";
      results.replaceChildren();
    },
  };
}
