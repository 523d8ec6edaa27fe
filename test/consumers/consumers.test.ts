// The packages as a user gets them: packed with pnpm (pack.mjs), the tarballs alone installed with npm into a fixture
// project in a temporary folder, next to pinned versions of the tools (below), then for each consumer - Node ESM,
// Node CommonJS, the CLI, Bun, TypeScript (lib DOM / Node-only x moduleResolution bundler / node16 / nodenext), Vite
// build + preview and dev server, webpack 5, Rollup, Parcel, esbuild - build it, run it (the browser builds in
// Chromium via playwright-core, served cross-origin isolated) and compare tanh' and tanh'' of 131,072 points
// (fixtures/probe.js), on one thread and on two, with Math.tanh in float64.
//
// Without chromium the browser cases skip on a developer machine, and FAIL under CI (CI=true), as the demo's e2e test.
// Needs the npm registry (the installs) and a build (`pnpm build`); 2.5 minutes on the 2-core machine under a load
// of 19: the install about 70 s, the TypeScript matrix 35 s, each browser build 2-12 s.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { preview, createServer } from "vite";
import { chromium, type Browser } from "playwright-core";
import { packAll } from "./pack.mjs";

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CI = process.env.CI === "true";
const haveBrowser = existsSync(CHROMIUM);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-quic", "--no-first-run"];
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/** The tools a consumer would install, pinned (each checked to exist and to run on Node 20). */
const TOOLS = {
  vite: "8.3.8", webpack: "5.113.0", esbuild: "0.28.2", rollup: "4.68.8", "@rollup/plugin-node-resolve": "16.0.3",
  "@web/rollup-plugin-import-meta-assets": "2.3.3", parcel: "2.16.4", typescript: "5.9.3", "@types/node": "20.19.43", bun: "1.4.5",
};

// ---- the independent reference: tanh' = 1 - tanh^2, tanh'' = -2 tanh (1 - tanh^2), in float64 at the same points
const N = 131072;
const SAMPLES = [0, 4097, 65536, 100000, N - 1];
const point = (i: number) => Math.fround(-2 + (4 * i) / (N - 1));
const d1 = (x: number) => 1 - Math.tanh(x) ** 2;
const d2 = (x: number) => -2 * Math.tanh(x) * d1(x);
let refSum1 = 0, refSum2 = 0;
for (let i = 0; i < N; i++) { refSum1 += d1(point(i)); refSum2 += d2(point(i)); }

interface Probe { threads: number; simd: string; d1: number[]; d2: number[]; sum1: number; sum2: number; error?: string; crossOriginIsolated?: boolean }

/** Checks a consumer's result: the samples to float32 accuracy (tanh in the core: relative error < 3e-7; the
 *  derivatives' own rounding adds a few ulps), the sums over all points, and the thread count it ran on. */
function expectProbe(r: Probe, threads: number, who: string): void {
  expect(r.error, `${who}: the page reported an error`).toBeUndefined();
  expect(r.threads, `${who}: threads`).toBe(threads);
  SAMPLES.forEach((i, k) => {
    const x = point(i);
    expect(Math.abs(r.d1[k] - d1(x)), `${who}: tanh'(${x}) = ${r.d1[k]}, reference ${d1(x)}`).toBeLessThan(2e-6);
    expect(Math.abs(r.d2[k] - d2(x)), `${who}: tanh''(${x}) = ${r.d2[k]}, reference ${d2(x)}`).toBeLessThan(4e-6);
  });
  expect(Math.abs(r.sum1 - refSum1) / N, `${who}: mean error of tanh'`).toBeLessThan(1e-6);
  expect(Math.abs(r.sum2 - refSum2) / N, `${who}: mean error of tanh''`).toBeLessThan(2e-6);
}

let work = "";                       // the fixture project (a copy of fixtures/ with the tarballs installed)
const sizes: string[] = [];
const outcome: Record<string, string> = {};

async function sh(cmd: string, args: string[], cwd = work, timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, timeout, maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: "" } });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}
const lastJson = (out: string): Probe => JSON.parse(out.trim().split("\n").at(-1)!);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "gradtape-consumers-"));
  cpSync(FIXTURES, work, { recursive: true });
  const packs = packAll(join(work, "packs"));
  for (const p of packs) {
    expect(p.problems, `${p.name} tarball`).toEqual([]);
    sizes.push(`${p.name} ${p.packedBytes} B packed, ${p.files.length} files`);
  }
  const tgz = Object.fromEntries(packs.map((p) => [p.name, `file:${p.tarball}`]));
  // only the tarballs: the overrides make npm take gradtape's dependency on @gradtape/core from the tarball too
  writeFileSync(join(work, "package.json"), JSON.stringify({
    name: "gradtape-consumers", private: true, type: "module",
    dependencies: tgz, devDependencies: TOOLS,
    overrides: { "@gradtape/core": "$@gradtape/core", gradtape: "$gradtape" },
    // Parcel's one line of configuration (fixtures/web/build-parcel.mjs)
    "@parcel/resolver-default": { packageExports: true },
  }, null, 2));
  await sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"], work, 240_000);
}, 300_000);

afterAll(() => {
  console.log(`\nconsumers (one thread / threads: 2):\n${Object.entries(outcome).map(([k, v]) => `  ${k.padEnd(24)} ${v}`).join("\n")}\ntarballs: ${sizes.join("; ")}`);
  if (work && !process.env.GRADTAPE_KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
});

describe("Node", () => {
  for (const [name, file] of [["node ESM", "node-esm/main.mjs"], ["node CommonJS", "node-cjs/main.cjs"]] as const) {
    it(`${name}: one thread and threads: 2`, async () => {
      expectProbe(lastJson(await sh("node", [file, "1"])), 1, `${name} 1`);
      expectProbe(lastJson(await sh("node", [file, "2"])), 2, `${name} 2`);
      // Node 20 has relaxed SIMD behind a flag: with it, "auto" must pick the relaxed build, threads included
      const relaxed = lastJson(await sh("node", ["--experimental-wasm-relaxed-simd", file, "2"]));
      expectProbe(relaxed, 2, `${name} relaxed 2`);
      expect(relaxed.simd).toBe("relaxed");
      outcome[name] = "pass / pass";
    });
  }

  it("the CLI from its tarball, and gradtape's own bin forwarding to it", async () => {
    const out = JSON.parse(await sh("node", ["node_modules/@gradtape/cli/bin/gradtape.js", "derivatives", "--point", "0.5,0.5", "--json"]));
    expect(Number.isFinite(out.points[0].d2f_dx2)).toBe(true);
    const viaLib = JSON.parse(await sh("node", ["node_modules/gradtape/bin/gradtape.js", "derivatives", "--point", "0.5,0.5", "--json"]));
    expect(viaLib.points[0]).toEqual(out.points[0]);
    outcome["CLI (npx gradtape)"] = "pass";
  });

  it("Bun runs the ESM consumer (bun from npm)", async () => {
    const bun = join(work, "node_modules/.bin/bun");
    expectProbe(lastJson(await sh(bun, ["node-esm/main.mjs", "1"])), 1, "bun 1");
    expectProbe(lastJson(await sh(bun, ["node-esm/main.mjs", "2"])), 2, "bun 2");
    outcome["Bun"] = "pass / pass";
  });
});

describe("TypeScript", () => {
  it("public types check under strict without skipLibCheck: lib DOM or Node-only x bundler / node16 / nodenext", async () => {
    const configs = readdirSync(join(FIXTURES, "ts")).filter((f) => f.startsWith("tsconfig."));
    expect(configs.length).toBe(6);
    // all six in one process (fixtures/ts/check-all.mjs); each failing config's errors are in the failure message
    expect(await sh("node", ["check-all.mjs"], join(work, "ts"))).toMatch(/^6 configs checked, 0 failed$/m);
    outcome["TypeScript (6 configs)"] = "pass";
  });
});

describe.skipIf(!haveBrowser && !CI)("browser builds in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => { browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS }); }, 60_000);
  afterAll(async () => { await browser?.close(); });

  /** Serves web/<outDir> cross-origin isolated (or, without outDir, the sources on Vite's dev server), loads it
   *  with ?threads=1 and 2 and checks both results. */
  async function runPages(name: string, outDir?: string): Promise<void> {
    const web = join(work, "web");
    // no import in a browser bundle may name a node: module (Vite would only warn, then fail at run time)
    for (const f of outDir ? readdirSync(join(web, outDir), { recursive: true }) as string[] : []) {
      if (!f.endsWith(".js")) continue;
      const text = readFileSync(join(web, outDir!, f), "utf8");
      expect(/\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|__vite-browser-external/.test(text), `${name}: ${f} imports a node: module`).toBe(false);
    }
    const server = outDir
      ? await preview({ root: web, configFile: false, logLevel: "warn", build: { outDir }, preview: { port: 0, host: "127.0.0.1", headers: ISOLATION } })
      : await createServer({ root: web, configFile: join(web, "vite.config.js"), logLevel: "warn", server: { port: 0, host: "127.0.0.1", headers: ISOLATION } });
    if (!outDir) await (server as Awaited<ReturnType<typeof createServer>>).listen();
    try {
      const port = (server.httpServer!.address() as AddressInfo).port;
      const got: string[] = [];
      for (const threads of [1, 2]) {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`http://127.0.0.1:${port}/?threads=${threads}`);
        await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
        const r = await page.evaluate(() => (window as unknown as { __result: Probe }).__result);
        expect(errors, `${name} ${threads}: page errors`).toEqual([]);
        expect(r.crossOriginIsolated, `${name}: cross-origin isolated`).toBe(true);
        expectProbe(r, threads, `${name} threads=${threads}`);
        expect(r.simd, `${name}: Chromium has relaxed SIMD, so "auto" takes that build`).toBe("relaxed");
        got.push("pass");
        await page.close();
      }
      outcome[name] = got.join(" / ");
    } finally {
      if (outDir) await new Promise<void>((resolve) => server.httpServer!.close(() => resolve()));
      else await (server as Awaited<ReturnType<typeof createServer>>).close();
    }
  }

  it("Vite: build, then preview", async () => {
    await sh("node", [join(work, "node_modules/vite/bin/vite.js"), "build"], join(work, "web"));
    await runPages("Vite build + preview", "dist-vite");
  });

  it("Vite: dev server (dependencies pre-bundled)", async () => {
    await runPages("Vite dev server");
  });

  it("webpack 5", async () => {
    await sh("node", ["build-webpack.mjs"], join(work, "web"));
    await runPages("webpack 5", "dist-webpack");
  });

  it("Rollup (node-resolve, import-meta-assets)", async () => {
    await sh("node", ["build-rollup.mjs"], join(work, "web"));
    await runPages("Rollup", "dist-rollup");
  });

  it("Parcel (packageExports)", async () => {
    await sh("node", ["build-parcel.mjs"], join(work, "web"));
    await runPages("Parcel", "dist-parcel");
  });

  it("esbuild (with the copy step)", async () => {
    await sh("node", ["build-esbuild.mjs"], join(work, "web"));
    await runPages("esbuild", "dist-esbuild");
  });
});
