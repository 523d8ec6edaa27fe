// Long runs that must not lose work: `gradtape pinn --resume` (a run stopped by its time limit, or killed with
// SIGKILL between checkpoints, then resumed, writes the same weight files byte for byte as a run that never
// stopped), `--out` checked before training and rescued to a temporary directory after, a diverged run (exit 1,
// the step and the term named, finite weights written), and durations formatted once (no "1m60s").
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import { ready, pinn } from "gradtape";
import { runMain, runCliAsync, expectOneLineError, BIN } from "./helpers.js";
import { formatDuration } from "../src/time-format.js";
import { writeFilesSafely } from "../src/out-dir.js";

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-runs-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

// long enough (1,400 steps, 3-4 s here) that a 0.5 s time limit stops it on a much faster machine too
const PLAN = ["--hidden", "3x12", "--collocation", "400", "--boundary", "40", "--adam-steps", "900", "--lbfgs-steps", "500", "--optimizer", "lbfgs", "--seed", "2", "--quiet"];
const same = (a: string, b: string, f: string) => readFileSync(join(a, f)).equals(readFileSync(join(b, f)));

describe("--resume", () => {
  it("a run stopped by --time-limit, then resumed, writes the uninterrupted run's weights byte for byte", async () => {
    const full = join(dir, "full"), part = join(dir, "part");
    const [a, b] = await Promise.all([
      runCliAsync(["pinn", "heat", ...PLAN, "--out", full]),
      runCliAsync(["pinn", "heat", ...PLAN, "--out", part, "--time-limit", "0.5", "--checkpoint-every", "50"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/stopped: time-limit/);
    const stoppedAt = pinn.loadCheckpoint(part).progress.steps;
    expect(stoppedAt).toBeLessThan(1400);
    // the settings come from the checkpoint; training continues where it stopped
    const c = await runCliAsync(["pinn", "--resume", part, "--quiet"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^heat: relative L2 error/);
    expect(c.stdout).toContain("1400 steps (900 Adam + 500 L-BFGS)");
    expect(same(full, part, "weights.safetensors")).toBe(true);
    expect(same(full, part, "weights.json")).toBe(true);
    expect(pinn.loadCheckpoint(part).progress.stopReason).toBe("done");
  });

  it("a run killed (SIGKILL) after checkpoints leaves a readable checkpoint; resuming it ends with the same weights", async () => {
    const full = join(dir, "full2"), killed = join(dir, "killed");
    const plan = ["--hidden", "3x12", "--collocation", "400", "--boundary", "40", "--adam-steps", "1500", "--lbfgs-steps", "300", "--optimizer", "lbfgs", "--seed", "2", "--quiet"];
    const child = spawn(process.execPath, [BIN, "pinn", "heat", ...plan, "--out", killed, "--checkpoint-every", "25"], { stdio: "ignore" });
    const exited = new Promise((r) => child.on("close", r));
    // kill it once a few checkpoints have been written (polling the file: it is replaced atomically, so every read
    // sees a whole checkpoint)
    const file = join(killed, pinn.CHECKPOINT_FILE);
    for (let t = 0; t < 400; t++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(file) && pinn.loadCheckpoint(file).progress.steps >= 150) break;
    }
    child.kill("SIGKILL");
    await exited;
    const cp = pinn.loadCheckpoint(killed); // checksum verified: never a torn file
    expect(cp.progress.steps % 25).toBe(0);
    expect(cp.progress.stopReason).toBeNull(); // killed mid-run, not finished
    const [a, c] = await Promise.all([
      runCliAsync(["pinn", "heat", ...plan, "--out", full]),
      runCliAsync(["pinn", "heat", "--resume", killed, "--quiet"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain("1800 steps (1500 Adam + 300 L-BFGS)");
    expect(same(full, killed, "weights.safetensors")).toBe(true);
  }, 120_000);

  it("refuses a checkpoint that does not fit, naming the difference or the file", async () => {
    const part = join(dir, "small");
    const first = await runMain(["pinn", "heat", "--hidden", "3x12", "--collocation", "64", "--adam-steps", "5", "--lbfgs-steps", "0", "--seed", "2", "--quiet", "--out", part]);
    expect(first.code, first.stderr).toBe(0);
    expectOneLineError(await runMain(["pinn", "poisson2d", "--resume", part]), 'the problem is "heat" in the checkpoint but "poisson2d" in this run');
    expectOneLineError(await runMain(["pinn", "heat", "--resume", part, "--hidden", "4x12"]), "hidden layers is [12,12,12] in the checkpoint but [12,12,12,12]");
    expectOneLineError(await runMain(["pinn", "heat", "--resume", part, "--seed", "3"]), "seed is 2 in the checkpoint but 3");
    const bad = join(dir, "truncated");
    writeFileSync(join(dir, "truncated.safetensors"), readFileSync(join(part, pinn.CHECKPOINT_FILE)).subarray(0, 1000));
    expectOneLineError(await runMain(["pinn", "heat", "--resume", `${bad}.safetensors`]), `${bad}.safetensors`, "truncated");
    expectOneLineError(await runMain(["pinn", "--resume", join(dir, "nothing-here")]), "cannot read the checkpoint", "no such file");
    expectOneLineError(await runMain(["pinn", "heat", "--checkpoint-every", "10"]), "--checkpoint-every needs --out DIR");
    expectOneLineError(await runMain(["pinn", "heat", "--checkpoint-every", "ten", "--out", join(dir, "x")]), "--checkpoint-every");
  });
});

describe("--out safety and divergence", () => {
  it("an --out that cannot be made fails before training", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const t0 = Date.now();
    expectOneLineError(await runMain(["pinn", "burgers", "--out", join(file, "sub")]), "--out", "cannot create the directory");
    expect(Date.now() - t0).toBeLessThan(5000); // no training happened (burgers' defaults take minutes)
  });

  it("results that cannot be written where asked go to a temporary directory that is named", () => {
    const gone = join(dir, "removed-dir");
    const r = writeFilesSafely(gone, [["weights.json", "{}"], ["report.html", "<html>"]]);
    expect(r.error).not.toBeNull();
    expect(r.dir).not.toBe(gone);
    expect(readdirSync(r.dir).sort()).toEqual(["report.html", "weights.json"]);
    expect(readFileSync(join(r.dir, "weights.json"), "utf8")).toBe("{}");
    rmSync(r.dir, { recursive: true });
  });

  it("a diverging run stops at once, exits 1 naming the step and the term, and writes the last finite weights", async () => {
    const out = join(dir, "diverged");
    const r = await runMain(["pinn", "heat", "--hidden", "2x8", "--collocation", "64", "--adam-steps", "100", "--lbfgs-steps", "10", "--lr", "1e308", "--out", out, "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gradtape: training diverged at step 1 \(Adam\): update of .* \(learning rate too large\?\) became -?Infinity|NaN/m);
    expect(r.stderr).toContain("the last finite ones, are kept in");
    const w = JSON.parse(readFileSync(join(out, "weights.json"), "utf8"));
    const values = JSON.stringify(w).match(/-?\d[\d.e+-]*/g)!.map(Number);
    expect(values.length).toBeGreaterThan(10);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("diverged at step 1");
  });
});

describe("formatDuration", () => {
  it("rounds once, so a minute never shows 60 seconds", () => {
    expect(formatDuration(119.6)).toBe("2m00s");
    expect(formatDuration(59.6)).toBe("1m00s");
    expect(formatDuration(60)).toBe("1m00s");
    expect(formatDuration(61.4)).toBe("1m01s");
    expect(formatDuration(3599.5)).toBe("1h00m00s");
    expect(formatDuration(3725)).toBe("1h02m05s");
    expect(formatDuration(4.24)).toBe("4.2s");
    expect(formatDuration(9.96)).toBe("10s");
    expect(formatDuration(0)).toBe("0.0s");
    expect(formatDuration(Infinity)).toBe("--");
    expect(formatDuration(NaN)).toBe("--");
  });
});
