// A course's grading and assessments: how it is graded (completion only, pass/fail against a
// pass mark, or by percentage), its assessments (a required one passed is a step of progress;
// the final one decides a graded course), and the scores the office records.
import { office, records, type Assessment, type CourseDetail, type Grading } from "../api";
import { card, el, field, form, input, number, select, text } from "../dom";
import { inputError } from "../errors";
import type { Screen } from "../main";

const GRADING: Record<Grading, string> = {
  completion: "Completion only",
  pass_fail: "Pass/fail against a pass mark",
  percentage: "Percentage, with a pass mark",
};

export async function assessmentsCard(detail: CourseDetail, screen: Screen): Promise<HTMLElement> {
  const { course } = detail;
  const page = await records.list("assessment", { filters: [["course_id", course.id]], order_by: "created_at", limit: 500 });
  const list = el(
    "ul",
    { className: "list", id: "assessments" },
    ...page.items.map((a) => el("li", {}, el("span", {}, el("strong", {}, a.title), a.is_final ? el("span", { className: "badge" }, "final") : null), el("span", { className: "muted" }, describe(a, detail)))),
  );
  if (!page.items.length) list.append(el("li", { className: "muted" }, "No assessments."));
  const graded = course.grading === "completion" ? GRADING.completion : `${GRADING[course.grading]}: the final must reach ${course.pass_mark}`;
  const section = card("Grading and assessments", el("p", { className: "muted", id: "grading" }, graded), list);
  section.id = "assessments-card";
  if (screen.can("courses.write")) section.append(gradingForm(detail, screen), newAssessmentForm(detail, screen));
  if (screen.can("enrollments.write") && page.items.length) section.append(scoreForm(detail, page.items, screen));
  return section;
}

function describe(a: Assessment, detail: CourseDetail): string {
  const graded = detail.course.grading !== "completion";
  const mark = a.is_final && graded ? detail.course.pass_mark : a.passing_score;
  const attempts = a.max_attempts ?? (a.is_final && graded ? 1 : null);
  return [`pass at ${mark}`, a.is_required ? "required: a step of progress" : "optional", attempts ? `${attempts} attempt${attempts === 1 ? "" : "s"}` : "any number of attempts"].join(" · ");
}

function gradingForm(detail: CourseDetail, screen: Screen): HTMLElement {
  const { course } = detail;
  const grading = select(Object.entries(GRADING).map(([value, label]) => ({ value, label })));
  grading.value = course.grading;
  const passMark = input({ type: "number", step: "any", placeholder: "0–100", value: course.pass_mark?.toString() ?? "" });
  return el(
    "details",
    {},
    el("summary", {}, "How it is graded"),
    form({ id: "grading-form", className: "subform" }, [el("div", { className: "row" }, field("Graded by", "grading", grading), field("Pass mark", "pass_mark", passMark)), el("button", { type: "submit" }, "Save")], async () => {
      await records.update("course", { ...course, grading: grading.value as Grading, pass_mark: passMark.value.trim() === "" ? null : Number(passMark.value) });
      screen.refresh();
    }),
  );
}

function newAssessmentForm(detail: CourseDetail, screen: Screen): HTMLElement {
  const title = input({ placeholder: "Final assessment" });
  const passing = input({ type: "number", min: "0", max: "100", value: "70" });
  const attempts = input({ type: "number", min: "1", placeholder: "No limit (one for a graded final)" });
  const required = el("input", { type: "checkbox", checked: true, name: "is_required" });
  const final = el("input", { type: "checkbox", name: "is_final" });
  return el(
    "details",
    {},
    el("summary", {}, "Add an assessment"),
    form({ id: "new-assessment", className: "subform" }, [field("Title", "title", title), el("div", { className: "row" }, field("Passing score", "passing_score", passing), field("Attempts allowed", "max_attempts", attempts)), el("label", { className: "check" }, required, " Required (passing it is a step of progress)"), el("label", { className: "check" }, final, " The course's final assessment"), el("button", { type: "submit" }, "Add")], async () => {
      await records.create("assessment", { course_id: detail.course.id, module_id: null, title: title.value, description: text(""), passing_score: Number(passing.value), max_attempts: number(attempts.value), is_required: required.checked, is_final: final.checked });
      screen.refresh();
    }),
  );
}

function scoreForm(detail: CourseDetail, assessments: Assessment[], screen: Screen): HTMLElement {
  const live = detail.enrollments.filter((e) => e.enrollment.status === "enrolled" || e.enrollment.status === "in_progress");
  const person = select(live.map((e) => ({ value: e.enrollment.id, label: e.person_name })));
  const which = select(assessments.filter((a) => a.is_active).map((a) => ({ value: a.id, label: a.title })));
  const score = input({ type: "number", step: "any", placeholder: "0–100" });
  return el(
    "details",
    {},
    el("summary", {}, "Record a score"),
    form({ id: "record-score", className: "subform" }, [el("div", { className: "row" }, field("Person", "course_enrollment_id", person), field("Assessment", "assessment_id", which), field("Score", "score", score)), el("button", { type: "submit" }, "Record")], async () => {
      if (!person.value) throw inputError("No one enrolled is taking this course now.", "course_enrollment_id");
      if (score.value.trim() === "") throw inputError("Enter the score, 0 to 100.", "score");
      await office.recordAttempt({ course_enrollment_id: person.value, assessment_id: which.value, score: Number(score.value) });
      screen.refresh();
    }),
  );
}
