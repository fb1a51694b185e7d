// Labels the station prints itself, through the real window and a fake Zebra (a TCP listener
// that keeps what it receives). An administrator chooses the network label printer when starting
// the station; a check-in shows the labels drawn from the printer's own layout; the printer is
// off, so the readiness panel says what waits and a volunteer cancels one label; the printer
// comes on, and Print now prints the rest, each once.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { checkInAFamilyWithAChild, startStation } from "./station.mjs";
import { launchApp, screenshots as shots } from "./webdriver.mjs";

let running;
let app;
let zebra;

before(async () => {
  running = await launchApp("labels");
  ({ app } = running);
});

after(async () => {
  zebra?.close();
  await running?.close();
});

/// A port nothing listens on (yet): the printer switched off.
async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/// The Zebra switched on at `port`: each connection's bytes, one job each.
async function switchOn(port) {
  const jobs = [];
  const server = net.createServer((socket) => {
    let job = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (job += chunk));
    socket.on("end", () => jobs.push(job));
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { jobs, close: () => server.close() };
}

test("a station prints its labels itself, queues them while the printer is off, and prints each once", { timeout: 240_000 }, async () => {
  const port = await freePort();
  await startStation(app, "D", async () => {
    await app.choose("#kiosk-printer-kind", "A label printer on the network (Zebra, ZPL)");
    await app.type("#kiosk-printer-host", "127.0.0.1");
    await app.type("#kiosk-printer-port", String(port));
    await app.choose("#kiosk-label-size", "Zebra 4″ × 2″ (ZPL)");
    await app.screenshot(shots, "kiosk-printer-choice", ".printer-choice");
  });
  await app.waitFor("#print-queue", { text: `Labels print on 127.0.0.1:${port}` });

  // A family with a child, checked in while the printer is off.
  assert.ok(await checkInAFamilyWithAChild(app), "a family with a child to check in");
  await app.waitFor("#labels-sent", { text: "Sent to the label printer" });
  const drawn = await app.execute(`return [...document.querySelectorAll('#kiosk-labels svg.label-drawing')].map(s => ({ width: s.getAttribute('width'), said: s.getAttribute('aria-label') }))`);
  assert.ok(drawn.length >= 3, `labels for the family and its tag: ${JSON.stringify(drawn)}`);
  assert.ok(drawn.every((label) => label.width === "101.6mm"), `drawn at the printer's 4-inch size: ${JSON.stringify(drawn)}`);
  const tag = drawn.find((label) => label.said.includes("Guardian tag"));
  const code = tag?.said.match(/D[2-9A-HJKMNP-Z]{3}/)?.[0];
  assert.ok(code, `the guardian tag carries station D's code: ${tag?.said}`);
  const childLabels = drawn.filter((label) => label.said.includes(`code ${code}`) && label !== tag).length;
  assert.ok(childLabels >= 1, "each child's label carries the code as a barcode");
  await app.screenshot(shots, "kiosk-labels-drawn", "#kiosk-labels");

  // The panel says the printer is not answering and what waits; one label is cancelled.
  await app.waitFor("#print-queue", { text: "not answering", timeout: 30_000 });
  await app.waitFor("#print-queue", { text: `${drawn.length} labels waiting` });
  // A parent's name tag is cancelled (they have their own already); the children's labels stay.
  const cancelled = await app.execute(`
    const row = [...document.querySelectorAll('#print-jobs .print-job.waiting')].find(r => r.textContent.includes('Name tag'));
    row?.querySelector('.cancel-print').click();
    return row ? row.textContent : null;`);
  assert.ok(cancelled, "a waiting name tag to cancel");
  await app.waitFor("#print-jobs .print-job.cancelled", { text: "Name tag" });
  await app.waitFor("#print-queue", { text: `${drawn.length - 1} label` });
  const panel = await app.execute("return document.querySelector('#readiness').innerText");
  assert.ok(!panel.includes(code), "the queue never shows the code");
  await app.screenshot(shots, "kiosk-print-queue", "#readiness");

  // Switched on: Print now prints every label still waiting, once each.
  zebra = await switchOn(port);
  await app.click("#print-now");
  await app.waitFor("#print-queue", { text: "every label printed", timeout: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const zpl = zebra.jobs.join("");
  assert.equal(zebra.jobs.length, drawn.length - 1, "each label still waiting printed once, the cancelled one never");
  assert.equal(zpl.match(/\^XA/g)?.length, drawn.length - 1);
  assert.equal(zpl.match(/\^XZ/g)?.length, drawn.length - 1);
  const childJobs = zebra.jobs.filter((job) => job.includes("^BQN"));
  assert.equal(childJobs.length, childLabels, "every child's label printed");
  assert.ok(childJobs.every((job) => job.includes(`^FDMA,${code}^FS`)), "the child's QR holds the code");
  assert.ok(zebra.jobs.some((job) => job.includes("^BCN") && job.includes(`^FD${code}^FS`)), "the guardian tag printed, its barcode the code");
  await app.screenshot(shots, "kiosk-printed", "#readiness");
});
