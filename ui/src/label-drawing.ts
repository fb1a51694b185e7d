// A check-in label drawn from the layout the Rust side worked out for the station's label size:
// the same lines, sizes, marks and barcodes the printer gets, in the same embedded font, at the
// label's real size in millimetres. Drawn as SVG elements (no markup strings), so the strict CSP
// has nothing to allow.
import type { LabelItem, LabelLayout } from "./api";

const SVG = "http://www.w3.org/2000/svg";

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/// Every field's text in reading order: what a screen reader says of the label.
export function labelText(layout: LabelLayout): string {
  return layout.items
    .map((item) => ("text" in item ? item.text : item.kind === "qr" || item.kind === "code128" ? `code ${item.data}` : ""))
    .filter((text) => text)
    .join(", ");
}

export function drawLabel(layout: LabelLayout): SVGSVGElement {
  const svg = svgElement("svg", { viewBox: `0 0 ${layout.width} ${layout.height}`, width: `${layout.width}mm`, height: `${layout.height}mm`, role: "img", "aria-label": labelText(layout) });
  svg.classList.add("label-drawing");
  svg.append(svgElement("rect", { class: "label-edge", x: 0, y: 0, width: layout.width, height: layout.height, rx: 1.5 }));
  for (const item of layout.items) svg.append(drawItem(item, layout));
  return svg;
}

function drawItem(item: LabelItem, layout: LabelLayout): SVGElement {
  switch (item.kind) {
    case "text":
      return text(item.text, item.x, item.y + item.size * layout.ascent, item.size, item.bold);
    case "mark": {
      // White on black, centred in its box, as the printers draw it.
      const group = svgElement("g", { class: "label-mark" });
      group.append(svgElement("rect", { x: item.x, y: item.y, width: item.width, height: item.height, fill: "#000" }));
      const top = (item.height - item.size * layout.line_height) / 2;
      const mark = text(item.text, item.x + item.width / 2, item.y + top + item.size * layout.ascent, item.size, true);
      mark.setAttribute("text-anchor", "middle");
      mark.classList.add("on-mark");
      group.append(mark);
      return group;
    }
    case "qr": {
      const module = item.size / Math.max(item.rows.length, 1);
      let d = "";
      item.rows.forEach((row, r) => {
        for (let c = 0; c < row.length; c++) if (row[c] === "1") d += `M${item.x + c * module} ${item.y + r * module}h${module}v${module}h${-module}z`;
      });
      return svgElement("path", { d, fill: "#000", "shape-rendering": "crispEdges" });
    }
    case "code128": {
      const module = item.width / Math.max(item.modules.length, 1);
      let d = "";
      for (let i = 0; i < item.modules.length; i++) if (item.modules[i] === "1") d += `M${item.x + i * module} ${item.y}h${module}v${item.height}h${-module}z`;
      return svgElement("path", { d, fill: "#000", "shape-rendering": "crispEdges" });
    }
  }
}

function text(content: string, x: number, baseline: number, size: number, bold: boolean): SVGTextElement {
  const node = svgElement("text", { x, y: baseline, "font-size": size, "font-weight": bold ? 700 : 400, class: "label-text" });
  node.textContent = content;
  return node;
}
