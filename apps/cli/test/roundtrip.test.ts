// --json prints the weights in the format --weights reads: feeding the output back reproduces every number exactly.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runCli, runMain, expectMatchesReference, type JsonOutput } from "./helpers.js";
import { randomLayers } from "./dual.js";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "gradtape-cli-rt-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const PTS = ["--point", "0.5,0.5", "--point=-0.25,0.75", "-p", "1.5,-2"];
const KEYS = ["x", "t", "f", "df_dx", "df_dt", "d2f_dx2", "d2f_dxdt", "d2f_dtdx", "d2f_dt2"];

describe("JSON round trip", () => {
  it("the --json output has the documented shape", () => {
    const r = runCli(["derivatives", "--json", ...PTS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.endsWith("\n")).toBe(true);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["weights", "points"]);
    expect(Object.keys(out.weights)).toEqual(["layers"]);
    for (const l of out.weights.layers) expect(Object.keys(l)).toEqual(["kernel", "bias", "activation"]);
    expect(out.points).toHaveLength(3);
    for (const p of out.points) {
      expect(Object.keys(p)).toEqual(KEYS);
      for (const k of KEYS) expect(typeof p[k]).toBe("number");
    }
    expect(out.points.map((p: { x: number; t: number }) => [p.x, p.t])).toEqual([[0.5, 0.5], [-0.25, 0.75], [1.5, -2]]);
  });

  it("subprocess: --json output fed back through --weights FILE gives the same weights and the same numbers", () => {
    const first = runCli(["derivatives", "--seed", "11", "--json", ...PTS]);
    expect(first.code, first.stderr).toBe(0);
    const file = join(dir, "seed11.json");
    writeFileSync(file, first.stdout);
    const second = runCli(["derivatives", "--weights", file, "--json", ...PTS]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    expect(second.stdout).toBe(first.stdout);
    // and again (a fixed point)
    writeFileSync(file, second.stdout);
    expect(runCli(["derivatives", "--weights", file, "--json", ...PTS]).stdout).toBe(first.stdout);
  });

  it("the bare {\"layers\": [...]} form and standard input (--weights -) read the same network", () => {
    const first = runCli(["derivatives", "--seed", "4", "--json", ...PTS]);
    const out = JSON.parse(first.stdout) as JsonOutput;
    const bare = join(dir, "bare.json");
    writeFileSync(bare, JSON.stringify({ layers: out.weights.layers }, null, 2));
    expect(runCli(["derivatives", "--weights", bare, "--json", ...PTS]).stdout).toBe(first.stdout);
    const piped = runCli(["derivatives", "--weights", "-", "--json", ...PTS], { input: first.stdout });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(first.stdout);
  });

  it("the table printed from a weights file equals the table of the seed network it came from", () => {
    const json = runCli(["derivatives", "--seed", "2", "--json"]).stdout;
    const file = join(dir, "seed2.json");
    writeFileSync(file, json);
    const fromSeed = runCli(["derivatives", "--seed", "2", ...PTS]).stdout;
    const fromFile = runCli(["derivatives", "--weights", file, ...PTS]).stdout;
    const body = (s: string) => s.slice(s.indexOf("\n") + 1);      // the first line names where the weights came from
    expect(body(fromFile)).toBe(body(fromSeed));
    expect(fromFile.split("\n")[0]).toContain(file);
  });

  it("in-process: a hand-written file round-trips for every activation and a deeper network", async () => {
    const acts = ["linear", "sigmoid", "tanh", "relu", "sin", "softplus", "tanh"];
    const layers = randomLayers([2, 7, 5, 4, 3, 6, 2, 1], acts, 123);
    const file = join(dir, "hand.json");
    writeFileSync(file, JSON.stringify({ weights: { layers } }));
    const first = await runMain(["derivatives", "--weights", file, "--json", ...PTS]);
    expect(first.code, first.stderr).toBe(0);
    const again = join(dir, "hand2.json");
    writeFileSync(again, first.stdout);
    const second = await runMain(["derivatives", "--weights", again, "--json", ...PTS]);
    expect(second.stdout).toBe(first.stdout);
    expectMatchesReference(JSON.parse(first.stdout) as JsonOutput, { layers });
  });

  it("weights with more digits than float32 holds are rounded to float32 once and then stay fixed", async () => {
    const file = join(dir, "digits.json");
    writeFileSync(file, JSON.stringify({ layers: [{ kernel: [[0.1234567890123], [-1 / 3]], bias: [Math.PI], activation: "sin" }] }));
    const first = JSON.parse((await runMain(["derivatives", "--weights", file, "--json"])).stdout) as JsonOutput;
    expect(first.weights.layers[0].kernel).toEqual([[0.12345679], [-0.33333334]]);   // shortest decimals of the float32s
    expect(first.weights.layers[0].bias).toEqual([3.1415927]);
    writeFileSync(file, JSON.stringify(first));
    const second = JSON.parse((await runMain(["derivatives", "--weights", file, "--json"])).stdout);
    expect(second).toEqual(first);
  });
});
