import assert from "node:assert/strict";
import { test } from "node:test";
import { labelText } from "./label-drawing.js";
import type { LabelLayout } from "./api";

test("a drawn label is read aloud in print order, its barcode as the code it holds", () => {
  const layout: LabelLayout = {
    width: 89,
    height: 28,
    ascent: 0.93,
    line_height: 1.17,
    shortened: [],
    items: [
      { kind: "text", x: 2, y: 2, width: 60, size: 6, bold: true, text: "Emma Johnson" },
      { kind: "text", x: 2, y: 9, width: 60, size: 5, bold: true, text: "A7KX" },
      { kind: "mark", x: 2, y: 20, width: 16, height: 4, size: 3, text: "ALLERGY" },
      { kind: "qr", x: 70, y: 2, size: 17, data: "A7KX", rows: ["101", "010", "101"] },
      { kind: "code128", x: 2, y: 24, width: 30, height: 3, data: "A7KX", modules: "1101" },
    ],
  };
  assert.equal(labelText(layout), "Emma Johnson, A7KX, ALLERGY, code A7KX, code A7KX");
  assert.equal(labelText({ ...layout, items: [] }), "", "an empty label says nothing");
});
