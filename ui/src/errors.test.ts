import assert from "node:assert/strict";
import { test } from "node:test";
import { errorField, errorText, hasCode, inputError, isErrorReport } from "./errors.js";

const refused = { code: "prerequisites_not_met", message: "prerequisites not completed: Foundations of Faith", field: "course_id" } as const;

test("a command's error is told from anything else thrown", () => {
  assert.equal(isErrorReport(refused), true);
  assert.equal(isErrorReport({ message: "no code" }), false);
  assert.equal(isErrorReport("invalid args `query`"), false, "Tauri's own argument errors are plain text");
  assert.equal(isErrorReport(null), false);
});

test("the window matches a failure by its code", () => {
  assert.equal(hasCode(refused, "prerequisites_not_met"), true);
  assert.equal(hasCode(refused, "permission_denied"), false);
  assert.equal(hasCode(new Error("prerequisites_not_met"), "prerequisites_not_met"), false, "a message is never taken for a code");
});

test("every failure reads as a sentence", () => {
  assert.equal(errorText(refused), refused.message);
  assert.equal(errorText(new Error("the network is down")), "the network is down");
  assert.equal(errorText("invalid args `query` for command `search_people`"), "invalid args `query` for command `search_people`");
});

test("an error is shown beside the field it names, or with the form", () => {
  assert.equal(errorField(refused), "course_id");
  assert.equal(errorField({ ...refused, field: null }), null);
  assert.equal(errorField({ ...refused, field: "" }), null, "an empty name is no field");
  assert.equal(errorField("plain text"), null);
});

test("the window's own checks fail the way Rust's do", () => {
  assert.deepEqual(inputError("Choose when the session starts.", "starts_at"), { code: "invalid_input", message: "Choose when the session starts.", field: "starts_at" });
  assert.equal(inputError("Tick the box to confirm.").field, null);
  assert.equal(isErrorReport(inputError("x")), true);
});
