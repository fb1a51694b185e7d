// Sync status: the Planning Center connection, what is waiting, what went wrong, and possible
// duplicates to resolve (the card itself lives in ../planning-center.ts).
import { el } from "../dom";
import type { Screen } from "../main";
import { renderPlanningCenter } from "../planning-center";

export async function renderSync(view: HTMLElement, screen: Screen) {
  const section = el("section", { className: "card", id: "planning-center" }, el("h2", {}, "Planning Center"));
  view.replaceChildren(section);
  await renderPlanningCenter(section, () => screen.refresh());
}
