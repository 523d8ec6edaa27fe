// End-to-end test of the demo app (apps/demo) in a real browser: the BUILT app (run `npx turbo run build` first)
// served by vite's preview() on a free port, driven by playwright-core with Debian's chromium.
//
// - the derivative explorer shows, at a set point, the values gradtape computes in Node for the same weights
//   (the seed network from a seed, and a weights JSON file given to the page), to 1e-5 relative;
// - the PINN trainer trains Burgers in its worker for a few hundred steps: the loss falls, the page stays
//   responsive (a click on Pause stops the step counter within a second), no error reaches the console, and the
//   weights download as JSON and safetensors that gradtape loads back;
// - screenshots of each view (wide and narrow) go to test/artifacts/ (gitignored).
//
// Without chromium the tests skip on a developer machine, and FAIL under CI (CI=true).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { preview, type PreviewServer } from "vite";
import { chromium, type BrowserContext, type Page, type ConsoleMessage } from "playwright-core";
import { ready, nn, io, tensor, tidy, GradientTape, Generator, type Tensor } from "gradtape";

const demoRoot = fileURLToPath(new URL("../../apps/demo/", import.meta.url));
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CI = process.env.CI === "true";
const haveBrowser = existsSync(CHROMIUM);
const built = existsSync(join(demoRoot, "dist", "index.html"));
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-quic", "--no-first-run",
];

const KEYS = ["f", "df_dx", "df_dt", "d2f_dx2", "d2f_dxdt", "d2f_dtdx", "d2f_dt2"] as const;
type Values = Record<(typeof KEYS)[number], number>;

/** f, gradient and Hessian with gradtape in Node: nested tapes, jacobian of the inner gradient (as the report). */
function derivativesInNode(model: nn.Sequential, x: number, t: number): Values {
  return tidy(() => {
    const inp = tensor([[[x], [t]]]);
    const outer = new GradientTape();
    const inner = new GradientTape();
    try {
      let f!: Tensor;
      const g = outer.record(() => {
        outer.watch(inp);
        f = inner.record(() => { inner.watch(inp); return model.apply(inp); });
        return inner.gradient(f, inp)!;
      });
      const H = outer.jacobian(g, inp)!.data();
      const gd = g.data();
      return { f: f.item(), df_dx: gd[0], df_dt: gd[1], d2f_dx2: H[0], d2f_dxdt: H[1], d2f_dtdx: H[2], d2f_dt2: H[3] };
    } finally { inner.dispose(); outer.dispose(); }
  });
}

/** The seed network of `gradtape derivatives --seed N`: Keras' default initializers from one Generator(seed). */
function seedModel(seed: number): nn.Sequential {
  const gen = new Generator(seed);
  const model = new nn.Sequential([
    new nn.Flatten({ inputShape: [2, 1] }),
    new nn.Dense({ units: 28, activation: "sigmoid", generator: gen }),
    new nn.Dense({ units: 1, activation: "sigmoid", generator: gen }),
  ]);
  tidy(() => { model.apply(tensor([[[0], [0]]])); });
  return model;
}

function expectClose(page: Values, node: Values, what: string): void {
  for (const k of KEYS) {
    const a = page[k], b = node[k];
    const err = Math.abs(a - b);
    const tol = 1e-5 * Math.abs(b) + 1e-12;
    expect(err <= tol, `${what} ${k}: page shows ${a}, gradtape in Node gives ${b} (|diff| ${err.toExponential(2)} > ${tol.toExponential(2)})`).toBe(true);
  }
}

async function readValues(page: Page): Promise<Values> {
  const out = {} as Values;
  for (const k of KEYS) {
    const text = (await page.getByTestId(`val-${k}`).textContent())?.trim() ?? "";
    const v = Number(text);
    expect(Number.isFinite(v), `val-${k} shows ${JSON.stringify(text)}`).toBe(true);
    out[k] = v;
  }
  return out;
}

async function setInput(page: Page, testid: string, value: string): Promise<void> {
  const el = page.getByTestId(testid);
  await el.fill(value);
  await el.dispatchEvent("change");
}

// Under CI a missing browser is a failed test, not a skip.
if (CI && !haveBrowser) {
  it("chromium is installed (required under CI)", () => {
    throw new Error(`CI=true but there is no browser at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  });
}

// A missing build is a failed test too (a failing beforeAll would only mark the tests as skipped).
if (haveBrowser && !built) {
  it("apps/demo is built", () => { throw new Error("apps/demo/dist is missing: build first (npx turbo run build)."); });
}

describe.skipIf(!haveBrowser || !built)("demo app in chromium", () => {
  let server: PreviewServer;
  let context: BrowserContext;
  let profile: string;
  let base: string;
  const problems: string[] = [];

  const watch = (page: Page): void => {
    page.on("console", (m: ConsoleMessage) => { if (m.type() === "error") problems.push(`console.error: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("worker", (w) => w.on("console", (m: ConsoleMessage) => { if (m.type() === "error") problems.push(`worker console.error: ${m.text()}`); }));
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await ready();
    server = await preview({
      root: demoRoot, configFile: join(demoRoot, "vite.config.ts"), logLevel: "warn",
      preview: { port: 0, host: "127.0.0.1", strictPort: false, open: false },
    });
    const addr = server.httpServer.address() as AddressInfo;
    base = `http://127.0.0.1:${addr.port}/`;
    profile = mkdtempSync(join(tmpdir(), "gradtape-e2e-profile-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 }, acceptDownloads: true,
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("is served with COOP/COEP and loads the wasm core", async () => {
    const res = await fetch(base);
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(res.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    const page = await context.newPage();
    watch(page);
    await page.goto(base);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    // Chromium ships relaxed SIMD (since 114): the loader's "auto" must have picked core-relaxed.wasm, and the page
    // must have fetched only that build
    expect(await page.evaluate(() => document.body.dataset.simd)).toBe("relaxed");
    const wasm = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.includes(".wasm")));
    expect(wasm.length, wasm.join(", ")).toBe(1);
    expect(wasm[0]).toMatch(/core-relaxed[^/]*\.wasm/);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("explorer: the displayed f, gradient and Hessian equal gradtape's in Node (seeded weights and a weights file)", async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}#explorer`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });

    // the seed network, seed 7, at two points
    await setInput(page, "seed-input", "7");
    await expect.poll(() => page.getByTestId("net-source").textContent()).toContain("seed 7");
    const model = seedModel(7);
    for (const [x, t] of [[0.3, 0.7], [-2.25, 1.5]]) {
      await setInput(page, "input-x", String(x));
      await setInput(page, "input-t", String(t));
      await expect.poll(() => page.getByTestId("at-t").textContent()).toBe(String(t));
      expect(await page.getByTestId("at-x").textContent()).toBe(String(x));
      expectClose(await readValues(page), derivativesInNode(model, x, t), `seed 7 at (${x}, ${t})`);
    }
    // the slider moves the point too
    await page.getByTestId("slider-x").evaluate((el: HTMLInputElement) => { el.value = "1"; el.dispatchEvent(new Event("input", { bubbles: true })); });
    await expect.poll(() => page.getByTestId("at-x").textContent()).toBe("1");
    expectClose(await readValues(page), derivativesInNode(model, 1, 1.5), "seed 7 at (1, 1.5) via the slider");
    model.dispose();

    // the heat map toggles to a second derivative; screenshot of the explorer
    await page.getByTestId("field-d2f_dxdt").click();
    expect(await page.getByTestId("field-d2f_dxdt").getAttribute("aria-pressed")).toBe("true");
    await page.getByTestId("field-f").click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, "demo-explorer.png"), fullPage: true });

    // a weights file with three layers (2 -> 16 tanh -> 8 softplus -> 1 linear), made and saved by gradtape in Node
    const gen = new Generator(2024);
    const other = new nn.Sequential([
      new nn.Dense({ units: 16, activation: "tanh", generator: gen, biasInitializer: (s, g) => g.uniform(s, -0.5, 0.5) }),
      new nn.Dense({ units: 8, activation: "softplus", generator: gen, biasInitializer: (s, g) => g.uniform(s, -0.5, 0.5) }),
      new nn.Dense({ units: 1, generator: gen }),
    ]);
    tidy(() => { other.apply(tensor([[0, 0]])); });
    const json = io.saveWeightsJSON(other);
    const asExplorer = new nn.Sequential([new nn.Flatten({ inputShape: [2, 1] }), ...other.stack]);
    await page.getByTestId("weights-file").setInputFiles({ name: "three-layers.json", mimeType: "application/json", buffer: Buffer.from(json) });
    await expect.poll(() => page.getByTestId("net-summary").textContent()).toBe("2 → 16 tanh → 8 softplus → 1 linear");
    await setInput(page, "input-x", "-0.8");
    await setInput(page, "input-t", "0.45");
    await expect.poll(() => page.getByTestId("at-t").textContent()).toBe("0.45");
    expectClose(await readValues(page), derivativesInNode(asExplorer, -0.8, 0.45), "weights file at (-0.8, 0.45)");
    other.dispose();

    // a broken file is reported on the page, not thrown
    await page.getByTestId("weights-file").setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from('{"weights":{"layers":[{"kernel":[[1]],"bias":[0],"activation":"sigmoid"}]}}') });
    await expect.poll(() => page.getByTestId("net-error").textContent()).toContain("bad.json");

    // narrow screen
    await page.setViewportSize({ width: 390, height: 844 });
    await setInput(page, "seed-input", "42");
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(artifacts, "demo-explorer-narrow.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, "the explorer must not scroll sideways on a 390 px screen").toBeLessThanOrEqual(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("trainer: Burgers trains in the worker, the loss falls, Pause is honoured within a second, no console errors", async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}#trainer`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    expect(await page.getByTestId("problem").inputValue()).toBe("burgers");
    await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
    const stepOf = async () => Number(await page.getByTestId("train-step").textContent());
    const lossOf = async () => Number(await page.getByTestId("train-loss").getAttribute("data-value"));
    const loss0 = await lossOf();
    expect(Number.isFinite(loss0) && loss0 > 0).toBe(true);

    await page.getByTestId("train-start").click();
    await expect.poll(stepOf, { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(300);

    // the page stays responsive while the worker trains: no main-thread stall over 500 ms in two seconds
    const worstGap = await page.evaluate(() => new Promise<number>((resolve) => {
      let last = performance.now(), worst = 0;
      const end = last + 2000;
      const tick = () => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
        if (now < end) setTimeout(tick, 10); else resolve(worst);
      };
      setTimeout(tick, 10);
    }));
    expect(worstGap, "largest main-thread gap while training (ms)").toBeLessThan(500);

    // Pause: within a second the step counter stops advancing, and stays stopped
    const clicked = Date.now();
    await page.getByTestId("train-pause").click();
    await page.waitForSelector("body[data-train-state=paused]", { timeout: 1000 });
    const pausedAfter = Date.now() - clicked;
    const atPause = await stepOf();
    await page.waitForTimeout(1500);
    expect(await stepOf(), "the step counter moved after Pause").toBe(atPause);
    expect(pausedAfter).toBeLessThanOrEqual(1000);
    expect(atPause).toBeGreaterThanOrEqual(300);

    // the loss fell
    const loss = await lossOf();
    expect(loss, `loss after ${atPause} steps (${loss}) vs at step 0 (${loss0})`).toBeLessThan(0.5 * loss0);
    const l2 = Number(await page.getByTestId("train-l2").getAttribute("data-value"));
    expect(Number.isFinite(l2) && l2 > 0 && l2 < 1.5).toBe(true);

    // Resume continues from there; pause again
    await page.getByTestId("train-resume").click();
    await expect.poll(stepOf, { timeout: 20_000, intervals: [100] }).toBeGreaterThan(atPause);
    await page.getByTestId("train-pause").click();
    await page.waitForSelector("body[data-train-state=paused]", { timeout: 1000 });
    await page.waitForTimeout(800);   // let the maps refresh with the paused state
    await page.screenshot({ path: join(artifacts, "demo-trainer.png"), fullPage: true });

    // the weights download as JSON and as safetensors, and gradtape loads both back
    const [dj] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-json").click()]);
    const jsonText = readFileSync(await dj.path(), "utf8");
    const fromJson = io.modelFromWeightsJSON(jsonText);
    const [ds] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-safetensors").click()]);
    expect(ds.suggestedFilename()).toMatch(/\.safetensors$/);
    const fromSt = io.modelFromSafetensors(new Uint8Array(readFileSync(await ds.path())));
    const probe = tensor([[0.25, 0.5], [-0.5, 0.1]]);
    const a = tidy(() => fromJson.apply(probe).data()), b = tidy(() => fromSt.apply(probe).data());
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.every(Number.isFinite)).toBe(true);
    probe.dispose(); fromJson.dispose(); fromSt.dispose();

    // narrow screen
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(artifacts, "demo-trainer-narrow.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, "the trainer must not scroll sideways on a 390 px screen").toBeLessThanOrEqual(0);

    expect(await page.getByTestId("train-error").isHidden()).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
  it("trainer: float64 precision trains Burgers in float64 and downloads float64 weights", async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}#trainer`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
    await page.getByTestId("opt-dtype").selectOption("float64");
    await page.getByTestId("opt-nf").fill("500");
    const stepOf = async () => Number(await page.getByTestId("train-step").textContent());
    const lossOf = async () => Number(await page.getByTestId("train-loss").getAttribute("data-value"));
    await page.getByTestId("train-start").click();
    await expect.poll(stepOf, { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(100);
    await page.getByTestId("train-pause").click();
    await page.waitForSelector("body[data-train-state=paused]", { timeout: 2000 });
    const loss = await lossOf();
    expect(Number.isFinite(loss) && loss > 0).toBe(true);
    const [dj] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-json").click()]);
    const text = readFileSync(await dj.path(), "utf8");
    expect(JSON.parse(text).weights.dtype, "the float64 network's weights file says so").toBe("float64");
    const net = io.modelFromWeightsJSON(text);
    expect(net.weights[0].dtype).toBe("float64");
    net.dispose();
    expect(await page.getByTestId("train-error").isHidden()).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
  it("trainer: the quasi-Newton phase runs SSBroyden in the worker (as pinn.train's optimizer 'auto') and lowers the loss", async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}#trainer`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
    await page.getByTestId("problem").selectOption("poisson1d");
    await page.getByTestId("opt-optimizer").selectOption("lbfgs");      // quasi-Newton from the start
    await page.getByTestId("train-reset").click();
    await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
    const lossOf = async () => Number(await page.getByTestId("train-loss").getAttribute("data-value"));
    const loss0 = await lossOf();
    await page.getByTestId("train-start").click();
    await expect.poll(async () => Number(await page.getByTestId("train-step").textContent()), { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(30);
    expect(await page.getByTestId("train-opt").textContent()).toBe("SSBroyden");
    if (await page.getByTestId("train-pause").isEnabled()) {
      await page.getByTestId("train-pause").click();
      await page.waitForSelector("body[data-train-state=paused], body[data-train-state=converged]", { timeout: 2000 });
    }
    const loss = await lossOf();
    expect(loss, `loss ${loss} vs ${loss0} at step 0`).toBeLessThan(1e-2 * loss0);
    expect(await page.getByTestId("train-error").isHidden()).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("trainer: an inverse problem shows its unknown coefficients, their trace, and trains them with the network", async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}#trainer`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
    expect(await page.getByTestId("coef-card").isHidden(), "Burgers (forward) has no coefficients card").toBe(true);
    await page.getByTestId("problem").selectOption("burgers-inverse");
    await page.waitForSelector("[data-testid=coef-card]:not([hidden])", { timeout: 60_000 });
    await page.waitForSelector("body[data-train-state=idle]", { timeout: 60_000 });
    const coef = async (name: string) => Number(await page.getByTestId(`coef-${name}`).getAttribute("data-value"));
    // the problem's initial values (burgers-inverse.ts): lambda1 = 0, lambda2 = exp(-6)
    expect(await coef("lambda1")).toBe(0);
    expect(Math.abs(await coef("lambda2") - Math.exp(-6))).toBeLessThan(1e-9);
    expect(await page.getByTestId("coef-lambda1").textContent()).toMatch(/exact 1\b.*error 100%/);
    expect(await page.getByTestId("opt-nu").isDisabled(), "an inverse problem has no initial/boundary points").toBe(true);

    await page.getByTestId("train-start").click();
    const stepOf = async () => Number(await page.getByTestId("train-step").textContent());
    await expect.poll(stepOf, { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(300);
    await page.getByTestId("train-pause").click();
    await page.waitForSelector("body[data-train-state=paused]", { timeout: 1000 });
    // trained with the weights: lambda1 left 0 (Adam moves a coefficient by about the learning rate per step),
    // lambda2 stayed positive (it is trained as its logarithm)
    const l1 = await coef("lambda1"), l2 = await coef("lambda2");
    expect(Number.isFinite(l1) && Math.abs(l1) > 0.01, `lambda1 after 300 steps: ${l1}`).toBe(true);
    expect(l2 > 0 && Number.isFinite(l2), `lambda2 after 300 steps: ${l2}`).toBe(true);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, "demo-trainer-inverse.png"), fullPage: true });
    // the traces were drawn: pixels of the two coefficients' colours (coef-trace.ts: lambda1 #2b8a3e, lambda2
    // #862e9c), far more than their legend swatches alone hold; the axes and labels are grey and do not count
    const inked = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>("[data-testid=coef-plot] canvas")!;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      const near = (i: number, r: number, g: number, b: number) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 60;
      let green = 0, purple = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        if (near(i, 0x2b, 0x8a, 0x3e)) green++;
        else if (near(i, 0x86, 0x2e, 0x9c)) purple++;
      }
      return Math.min(green, purple);
    });
    expect(inked, "pixels of the less-drawn coefficient's trace colour").toBeGreaterThan(300);
    expect(await page.getByTestId("train-error").isHidden()).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
});
