// Takes the README screenshots of the BUILT demo (run `npx turbo run build --filter=@gradtape/demo...` first):
// the explorer, and the trainer after a real Burgers run (about 2,500 steps: Adam, then L-BFGS).
//
//   node apps/demo/scripts/screenshots.mjs [outDir]      (default apps/demo/docs; CHROMIUM_PATH overrides the browser)
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { preview } from "vite";
import { chromium } from "playwright-core";

const demoRoot = fileURLToPath(new URL("..", import.meta.url));
const out = resolve(process.argv[2] ?? join(demoRoot, "docs"));
const STEPS = Number(process.env.STEPS ?? 2500);
mkdirSync(out, { recursive: true });

const server = await preview({ root: demoRoot, configFile: join(demoRoot, "vite.config.ts"), logLevel: "warn", preview: { port: 0, host: "127.0.0.1" } });
const base = `http://127.0.0.1:${server.httpServer.address().port}/`;
const profile = mkdtempSync(join(tmpdir(), "gradtape-shots-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, viewport: { width: 1280, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
});
try {
  const page = await context.newPage();
  await page.goto(`${base}#explorer`);
  await page.waitForSelector("body[data-ready=true]");
  for (const [id, v] of [["input-x", "1.5"], ["input-t", "-1"]]) { await page.getByTestId(id).fill(v); await page.getByTestId(id).dispatchEvent("change"); }
  await page.getByTestId("field-df_dx").click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, "explorer.png"), fullPage: true });
  console.log(`wrote ${join(out, "explorer.png")}`);

  await page.goto(`${base}#trainer`);
  await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
  await page.getByTestId("train-start").click();
  const t0 = Date.now();
  while (Number(await page.getByTestId("train-step").textContent()) < STEPS && Date.now() - t0 < 240_000) {
    if ((await page.evaluate(() => document.body.dataset.trainState)) === "converged") break;
    await page.waitForTimeout(1000);
  }
  if (await page.getByTestId("train-pause").isEnabled()) await page.getByTestId("train-pause").click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, "trainer.png"), fullPage: true });
  const info = await page.evaluate(() => ["train-step", "train-loss", "train-l2"].map((id) => document.getElementById(id).textContent).join(", "));
  console.log(`wrote ${join(out, "trainer.png")} (step, loss, relative L2: ${info}; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
