// Charts drawn with Chart.js (bundled, no CDN), each with its numbers beside it as a table: for
// screen readers, for copying, and for print. Colours are the Okabe–Ito palette, told apart by
// people with every common kind of colour blindness; the year before is also dashed, so no
// series is told by colour alone.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from "chart.js";
import { el } from "./dom";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

export interface Line {
  label: string;
  values: number[];
  /// Drawn dashed: the comparison series (a year before).
  dashed?: boolean;
}

/// A chart of `lines` over `labels`, then the same numbers as a table.
export function chartWithTable(options: { title: string; kind: "line" | "bar"; labels: string[]; lines: Line[]; stacked?: boolean; horizontal?: boolean; id: string }): HTMLElement {
  const canvas = el("canvas", { id: `${options.id}-chart` });
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${options.title}: chart; the table below holds its numbers`);
  const config: ChartConfiguration = {
    type: options.kind,
    data: {
      labels: options.labels,
      datasets: options.lines.map((line, i) => ({
        label: line.label,
        data: line.values,
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        borderDash: line.dashed ? [6, 4] : [],
        borderWidth: 2,
        pointRadius: options.kind === "line" ? 2 : 0,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: options.horizontal ? "y" : "x",
      scales: { x: { stacked: options.stacked ?? false }, y: { stacked: options.stacked ?? false, beginAtZero: true } },
      plugins: { legend: { position: "bottom" } },
    },
  };
  const holder = el("div", { className: "chart" }, canvas);
  // Drawn once the canvas is in the page, so Chart.js can size it to its box. Charts of a report
  // that has left the page are let go first: Chart.js keeps each one until it is destroyed.
  requestAnimationFrame(() => {
    for (const old of Object.values(Chart.instances)) if (!old.canvas?.isConnected) old.destroy();
    if (canvas.isConnected) new Chart(canvas, config);
  });
  return el("figure", { className: "report-figure", id: options.id }, el("figcaption", {}, options.title), holder, numbersTable(["", ...options.lines.map((l) => l.label)], options.labels.map((label, row) => [label, ...options.lines.map((l) => String(l.values[row] ?? 0))])));
}

/// A plain table: the header, then each row.
export function numbersTable(header: string[], rows: string[][]): HTMLTableElement {
  return el(
    "table",
    { className: "numbers" },
    el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((cell, i) => (i === 0 ? el("th", { scope: "row" }, cell) : el("td", {}, cell)))))),
  );
}
