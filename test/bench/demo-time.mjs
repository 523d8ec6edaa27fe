#!/usr/bin/env node
// Issue #17's browser goal: the demo's "published setup" preset (Raissi's Burgers setup, the library's defaults)
// trained in headless Chromium, timed from the click on Start until the relative L2 error the page shows is at or
// below the target (default 1e-3), or the time limit. Needs the demo built (npx turbo run build) and Debian's
// chromium (CHROMIUM_PATH to override). Not a test: it reads a wall clock; state the load with the figure.
//   node test/bench/demo-time.mjs [--seed N] [--target 1e-3] [--limit 150]
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { preview } from "vite";
import { chromium } from "playwright-core";

const { values } = parseArgs({ options: { seed: { type: "string", default: "1" }, target: { type: "string", default: "1e-3" }, limit: { type: "string", default: "150" } } });
const target = Number(values.target), limit = Number(values.limit);
const demoRoot = fileURLToPath(new URL("../../apps/demo/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(join(demoRoot, "dist", "index.html"))) { console.error("demo-time: build the demo first (npx turbo run build)"); process.exit(2); }
if (!existsSync(CHROMIUM)) { console.error(`demo-time: no browser at ${CHROMIUM}`); process.exit(2); }

const server = await preview({ root: demoRoot, configFile: join(demoRoot, "vite.config.ts"), logLevel: "warn", preview: { port: 0, host: "127.0.0.1", open: false } });
const base = `http://127.0.0.1:${server.httpServer.address().port}/`;
const profile = mkdtempSync(join(tmpdir(), "gradtape-demo-time-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await context.newPage();
  await page.goto(`${base}#trainer`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  await page.getByTestId("preset-published").click();
  const seed = page.getByTestId("opt-seed");
  if (await seed.count()) { await seed.fill(values.seed); await seed.dispatchEvent("change"); }
  await page.waitForSelector("body[data-train-state=idle]", { timeout: 120_000 });
  const load = loadavg()[0];
  const t0 = Date.now();
  await page.getByTestId("train-start").click();
  let l2 = NaN, at = null, last = 0;
  while ((Date.now() - t0) / 1000 < limit) {
    await page.waitForTimeout(250);
    const raw = await page.getByTestId("train-l2").getAttribute("data-value");
    if (raw === null || raw === "") continue; // no evaluation shown yet
    l2 = Number(raw);
    const s = (Date.now() - t0) / 1000;
    if (s - last >= 10) { last = s; console.error(`  ${s.toFixed(0)} s: relative L2 ${l2.toExponential(3)}, step ${await page.getByTestId("train-step").textContent()}`); }
    if (l2 > 0 && l2 <= target) { at = s; break; }
  }
  console.log(at === null
    ? `demo, published setup, seed ${values.seed}: relative L2 ${l2.toExponential(3)} after ${limit} s, target ${target} not reached (load ${load.toFixed(2)})`
    : `demo, published setup, seed ${values.seed}: relative L2 ${l2.toExponential(3)} <= ${target} after ${at.toFixed(1)} s from Start (load ${load.toFixed(2)})`);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
