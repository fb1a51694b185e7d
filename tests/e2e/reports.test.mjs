// The reports in the real window, on the demo church: each one opens with its chart and the
// table of its numbers, a campus narrows it, a bad range is named beside its field, and a
// report exports as CSV.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

let running;
let app;

before(async () => {
  running = await launchApp("reports");
  ({ app } = running);
});

after(async () => {
  await running?.close();
});

const REPORTS = [
  ["Attendance over time", "attendance", "#attendance-total canvas"],
  ["First-time visitors", "visitors", "#visitors-weeks canvas"],
  ["Course funnel", "funnel", "#funnel-chart canvas"],
  ["Certifications", "certifications", "#certifications-months canvas"],
  ["Rooms", "rooms", "#rooms-chart canvas"],
];

test("each report opens with a chart and its numbers", { timeout: 240_000 }, async () => {
  await app.click("#load-demo", { timeout: 90_000 });
  await app.waitFor("#stats", { text: "300", timeout: 60_000 });
  await app.click('nav a[href="#/reports"]');
  await app.waitFor("#report h2", { text: "Attendance over time" });

  for (const [label, kind, chart] of REPORTS) {
    await app.choose("#report-kind", label);
    await app.waitFor(`#report .report-${kind} h2`, { text: label });
    await app.waitFor(chart);
    // The chart is drawn (its canvas has pixels) and its numbers are in a table beside it.
    await app.waitFor(`#report .report-${kind} table.numbers tbody tr`);
    const drawn = await app.execute(`
      const canvas = document.querySelector(arguments[0]);
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      return data.some((v, i) => i % 4 === 3 && v > 0);`, [chart]);
    assert.ok(drawn, `${label}: the chart is drawn`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.screenshot(shots, `report-${kind}`, "#report");
  }

  // A bad range is named beside its field.
  await app.choose("#report-kind", "Attendance over time");
  await app.execute("document.querySelector('#report-to').value = '2020-01-01'");
  await app.click('#report-filter button[type="submit"]');
  await app.waitFor('#report-filter [data-error-for="to"]', { text: "before" });

  // The campus filter, and the export.
  await app.execute(`document.querySelector('#report-to').value = new Date().toISOString().slice(0, 10)`);
  await app.click('#report-filter button[type="submit"]');
  await app.waitFor("#report .report-attendance h2");
  const all = await app.text("#report .summary");
  const campus = await app.execute("return document.querySelector('#report-campus option:nth-child(2)').textContent");
  await app.choose("#report-campus", campus);
  await app.click('#report-filter button[type="submit"]');
  await app.waitFor("#report .report-attendance .summary");
  const narrowed = await app.text("#report .summary");
  assert.ok(parseInt(narrowed) <= parseInt(all), `${campus}: ${narrowed} of ${all}`);
  await app.click("#report-export");
  await app.waitFor("#report-saved", { text: "Saved to" });
});
