// QR codes drawn as SVG elements (no markup strings, so the strict CSP has nothing to allow):
// the guardian tag's code for check-out by scan, and a family's card for self check-in.
import QRCode from "qrcode";

const SVG = "http://www.w3.org/2000/svg";

export function qrCode(text: string, label: string): SVGSVGElement {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = modules.size;
  const quiet = 2;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size + quiet * 2} ${size + quiet * 2}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.classList.add("qr");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "#fff");
  svg.append(background);
  // One path for all dark modules: small, and crisp at any print size.
  let d = "";
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (modules.get(x, y)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(path);
  return svg;
}
