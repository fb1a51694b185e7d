import assert from "node:assert/strict";
import { test } from "node:test";
import { clampPercentage, count, formatDate, formatTime, number, text } from "./format.js";

test("an empty box is not given, anything else is trimmed", () => {
  assert.equal(text("   "), null);
  assert.equal(text("  Ruth "), "Ruth");
  assert.equal(number(""), null);
  assert.equal(number(" 12 "), 12);
  assert.ok(Number.isNaN(number("lots")), "a bad number reaches Rust, which names the field");
});

test("a date alone stays on its day in any time zone", () => {
  assert.equal(formatDate("2026-11-24", "en-US"), "Nov 24, 2026");
  assert.equal(formatDate(null), "");
  assert.equal(formatDate("not a date"), "not a date", "what cannot be read is shown as it is");
});

test("a timestamp reads with its date and time", () => {
  const shown = formatTime("2026-11-29T15:00:00Z", "en-US");
  assert.match(shown, /Nov 2[89], 2026/);
  assert.match(shown, /\d{1,2}:\d{2}/);
  assert.equal(formatTime(undefined), "");
});

test("a progress bar never runs past its ends", () => {
  assert.equal(clampPercentage(33.3), 33.3);
  assert.equal(clampPercentage(-5), 0);
  assert.equal(clampPercentage(250), 100);
  assert.equal(clampPercentage(Number.NaN), 0);
});

test("counts carry their noun", () => {
  assert.equal(count(1, "change"), "1 change");
  assert.equal(count(1200, "change"), "1,200 changes");
  assert.equal(count(0, "person", "people"), "0 people");
});
