// gradtape pinn --optimizer: the dense quasi-Newton second phase from the command line (a tiny run, its report's
// settings row, resuming a checkpoint without repeating the option), the help line, and a bad name (exit 2); the
// discrepancy stop of noisy observations and --fit-noise.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ready } from "gradtape";
import { fileURLToPath } from "node:url";
import { runMain, expectOneLineError } from "./helpers.js";

const FIX = fileURLToPath(new URL("./fixtures/", import.meta.url));

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-pinn-opt-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const TINY = ["--hidden", "2x8", "--collocation", "64", "--boundary", "16", "--adam-steps", "20", "--lbfgs-steps", "15"];

describe("gradtape pinn --optimizer", () => {
  it("trains with ssbroyden, names it in the report, and a resumed run keeps it", async () => {
    const out = join(dir, "run");
    const r = await runMain(["pinn", "heat", ...TINY, "--optimizer", "ssbroyden", "--quiet", "--json", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.steps).toBeGreaterThan(20);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("SSBroyden");
    // more iterations from its checkpoint: the optimizer comes from the checkpoint (a different one is refused)
    const more = await runMain(["pinn", "--resume", out, "--lbfgs-steps", "25", "--quiet", "--json"]);
    expect(more.code, more.stderr).toBe(0);
    expect(JSON.parse(more.stdout).steps).toBeGreaterThanOrEqual(s.steps);
    const other = await runMain(["pinn", "--resume", out, "--lbfgs-steps", "30", "--optimizer", "lbfgs", "--quiet"]);
    expectOneLineError(other, "cannot resume", "--optimizer ssbroyden");
  });

  it("refuses an unknown name with one line, exit 2, and --help documents the option", async () => {
    expectOneLineError(await runMain(["pinn", "heat", "--optimizer", "sr1"]), "--optimizer", "auto, lbfgs, ssbfgs, ssbroyden, bfgs", '"sr1"');
    const h = await runMain(["pinn", "--help"]);
    expect(h.stdout).toMatch(/--optimizer NAME\s+the optimizer after Adam: auto \(default: ssbroyden up to 10,000 weights, else lbfgs\)/);
  });

  it("stops noisy observations at the loss of the exact solution (stopped: discrepancy); --fit-noise trains on", async () => {
    const file = join(FIX, "noisy-data.mjs");
    const stop = await runMain(["pinn", file, "--seed", "1", "--quiet", "--json"]);
    expect(stop.code, stop.stderr).toBe(0);
    const a = JSON.parse(stop.stdout);
    expect(a.stopReason).toBe("discrepancy");
    expect(a.finalLoss).toBeLessThanOrEqual(0.05 * 0.05);
    const on = await runMain(["pinn", file, "--seed", "1", "--fit-noise", "--quiet", "--json"]);
    expect(on.code, on.stderr).toBe(0);
    const b = JSON.parse(on.stdout);
    expect(b.stopReason).not.toBe("discrepancy");
    expect(b.steps).toBeGreaterThan(a.steps);
    expect(b.finalLoss).toBeLessThan(a.finalLoss);
    expect((await runMain(["pinn", "--help"])).stdout).toMatch(/--fit-noise\s+observations that declare their noise/);
  });
});
