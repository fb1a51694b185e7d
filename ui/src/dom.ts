import { errorField, errorText } from "./errors";
import { clampPercentage } from "./format";

export { errorText } from "./errors";
export { formatDate, formatTime, number, text } from "./format";

type Child = Node | string | null | undefined | false;

/// Builds an element with properties and children; the UI uses no inline HTML (strict CSP).
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return node;
}

/// A labelled input with a slot under it for the error the Rust side names this field in.
export function field(label: string, name: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  input.name = name;
  input.id ||= `field-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const slot = el("span", { className: "field-error", role: "alert" });
  slot.dataset.errorFor = name;
  return el("label", { className: "field" }, el("span", {}, label), input, slot);
}

export function input(props: Partial<HTMLInputElement> = {}): HTMLInputElement {
  return el("input", { autocomplete: "off", ...props });
}

export function select(options: { value: string; label: string }[], props: Partial<HTMLSelectElement> = {}): HTMLSelectElement {
  return el("select", props, ...options.map((o) => el("option", { value: o.value }, o.label)));
}

/// Shows a command's error beside the field it names, or in the form's own slot.
export function showError(form: HTMLElement, error: unknown): void {
  clearErrors(form);
  const name = errorField(error);
  const slot = name ? form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`) : null;
  const general = form.querySelector<HTMLElement>(".form-error");
  (slot ?? general ?? form).append(el("span", { className: "error-text" }, errorText(error)));
  form.querySelector<HTMLElement>(`[name="${CSS.escape(name ?? "")}"]`)?.setAttribute("aria-invalid", "true");
}

export function clearErrors(form: HTMLElement): void {
  form.querySelectorAll(".error-text").forEach((n) => n.remove());
  form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
}

/// A form whose submit runs `action` once at a time and shows its error where it belongs.
export function form(props: { id?: string; className?: string }, children: Child[], action: (form: HTMLFormElement) => Promise<void>): HTMLFormElement {
  const node = el("form", { className: props.className ?? "", ...(props.id ? { id: props.id } : {}) }, ...children, el("p", { className: "form-error error", role: "alert" }));
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = node.querySelectorAll<HTMLButtonElement>("button");
    buttons.forEach((b) => (b.disabled = true));
    clearErrors(node);
    try {
      await action(node);
    } catch (error) {
      showError(node, error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return node;
}

export function card(title: string, ...children: Child[]): HTMLElement {
  return el("section", { className: "card" }, el("h2", {}, title), ...children);
}

export function progressBar(percentage: number): HTMLElement {
  const bar = el("span");
  // CSSOM, not a style attribute: the CSP allows no inline styles.
  bar.style.width = `${clampPercentage(percentage)}%`;
  return el("span", { className: "meter", title: `${Math.round(percentage)}%` }, bar);
}
