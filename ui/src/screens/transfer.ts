// CSV import (preview first, then import with progress and cancel) and export.
import { listen } from "@tauri-apps/api/event";
import { transfer, type CsvKind, type ImportProgress, type ImportReport } from "../api";
import { card, el, errorText, field, select } from "../dom";
import type { Screen } from "../main";

const COLUMNS: Record<CsvKind, string> = {
  people: "first_name, last_name (required); nickname, email, phone, date_of_birth (2014-03-27), gender, address1, address2, city, state, zip, household_name; id (from an export: updates that person). A row whose e-mail matches someone updates them.",
  enrollments: "course (its name) and email or person_id (required); override_reason (to enroll someone who lacks a prerequisite; needs the override permission), notes.",
};

export async function renderTransfer(view: HTMLElement, screen: Screen) {
  const kinds = [
    ...(screen.can("people.write") ? [{ value: "people", label: "People" }] : []),
    ...(screen.can("enrollments.write") ? [{ value: "enrollments", label: "Enrollments" }] : []),
  ];
  view.replaceChildren();
  if (kinds.length) view.append(importCard(kinds, screen));
  view.append(exportCard(screen));
}

function importCard(kinds: { value: string; label: string }[], screen: Screen): HTMLElement {
  const kind = select(kinds, { id: "import-kind" });
  const file = el("input", { type: "file", accept: ".csv,text/csv", id: "import-file" });
  const columns = el("p", { className: "muted" }, COLUMNS[kind.value as CsvKind]);
  const result = el("div", { id: "import-result" });
  const previewButton = el("button", { type: "button", id: "import-preview" }, "Preview");
  let text = "";
  kind.addEventListener("change", () => {
    columns.textContent = COLUMNS[kind.value as CsvKind];
    result.replaceChildren();
  });
  file.addEventListener("change", () => result.replaceChildren());
  previewButton.addEventListener("click", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return result.replaceChildren(el("p", { className: "error" }, "Choose a CSV file first."));
    previewButton.disabled = true;
    try {
      text = await chosen.text();
      const preview = await transfer.preview(kind.value as CsvKind, text);
      showPreview(result, preview, kind.value as CsvKind, text, screen);
    } catch (error) {
      result.replaceChildren(el("p", { className: "error" }, errorText(error)));
    } finally {
      previewButton.disabled = false;
    }
  });
  return card("Import from a CSV file", el("p", { className: "muted" }, "Nothing is saved until you have seen the preview and chosen to import."), el("div", { className: "row" }, field("What the file holds", "kind", kind), field("File", "file", file)), columns, el("div", { className: "actions" }, previewButton), result);
}

function showPreview(result: HTMLElement, report: ImportReport, kind: CsvKind, text: string, screen: Screen) {
  const summary = el("p", { id: "import-summary" }, `${report.applied} row${report.applied === 1 ? "" : "s"} ready, ${report.failed} with problems${report.failed ? " (they are skipped)" : ""}.`);
  const ignored = report.ignored_columns.length ? el("p", { className: "warning" }, `Columns not used: ${report.ignored_columns.join(", ")}.`) : null;
  const importButton = el("button", { type: "button", id: "import-run" }, `Import ${report.applied} row${report.applied === 1 ? "" : "s"}`);
  importButton.disabled = report.applied === 0 || report.committed;
  const status = el("div", { id: "import-status" });
  importButton.addEventListener("click", async () => {
    importButton.disabled = true;
    const bar = el("span");
    bar.style.width = "0%";
    const cancel = el("button", { type: "button", className: "secondary" }, "Cancel");
    const counter = el("span", { className: "muted" }, "Starting…");
    cancel.addEventListener("click", () => void transfer.cancel());
    status.replaceChildren(el("div", { className: "progress determinate" }, bar), el("div", { className: "actions" }, counter, cancel));
    const stop = await listen<ImportProgress>("import-progress", ({ payload }) => {
      bar.style.width = `${(100 * payload.done) / Math.max(1, payload.total)}%`;
      counter.textContent = `${payload.done.toLocaleString()} of ${payload.total.toLocaleString()} rows`;
    });
    try {
      const done = await transfer.run(kind, text);
      showPreview(result, done, kind, text, screen);
      result.querySelector("#import-status")!.replaceChildren(el("p", { className: done.cancelled ? "warning" : "success" }, done.cancelled ? `Cancelled: ${done.applied} rows were imported before the stop; importing the file again updates them rather than adding them twice.` : `Imported ${done.applied} row${done.applied === 1 ? "" : "s"}.`));
    } catch (error) {
      status.replaceChildren(el("p", { className: "error" }, errorText(error)));
      importButton.disabled = false;
    } finally {
      stop();
    }
  });
  const rows = el(
    "table",
    { id: "import-rows" },
    el("thead", {}, el("tr", {}, el("th", {}, "Line"), el("th", {}, kind === "people" ? "Person" : "Person → course"), el("th", {}, "Outcome"))),
    el(
      "tbody",
      {},
      ...report.rows.map((row) =>
        el(
          "tr",
          { className: row.error ? "row-error" : "" },
          el("td", {}, row.line.toString()),
          el("td", {}, row.summary || "(blank)"),
          el("td", {}, row.error ? el("span", { className: "error" }, row.error.message) : (report.committed ? row.action : `will be ${row.action}`) ?? ""),
        ),
      ),
    ),
  );
  result.replaceChildren(summary, ignored ?? "", el("div", { className: "actions" }, importButton), status, rows);
}

function exportCard(screen: Screen): HTMLElement {
  const saved = el("p", { id: "export-result", className: "muted" });
  const button = (kind: CsvKind, label: string) => {
    const b = el("button", { type: "button", className: "secondary", id: `export-${kind}` }, label);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        saved.textContent = `Saved to ${await transfer.export(kind)}`;
      } catch (error) {
        saved.textContent = errorText(error);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  return card(
    "Export to a CSV file",
    el("p", { className: "muted" }, "Saved in your Downloads folder. A people export carries each person's id, so editing it in a spreadsheet and importing it back updates them."),
    el("div", { className: "actions" }, screen.can("people.read") ? button("people", "Export people") : null, screen.can("enrollments.read") ? button("enrollments", "Export enrollments") : null),
    saved,
  );
}
