// Shared test helpers: run the built CLI as a subprocess or in-process, and compare against the float64 reference.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { main } from "../src/main.js";
import { referenceDerivatives, QUANTITIES, type RefLayer } from "./dual.js";

export const BIN = fileURLToPath(new URL("../bin/gradtape.js", import.meta.url));

export interface RunResult { code: number; stdout: string; stderr: string }

/** node apps/cli/bin/gradtape.js ...args (the built CLI, dist/) */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? "", cwd: options.cwd, encoding: "utf8", timeout: 30_000,
    env: { ...process.env, GRADTAPE_DEBUG: "" },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** runCli without blocking, so that independent cases can run concurrently */
export function runCliAsync(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, GRADTAPE_DEBUG: "" } });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** main(argv) in this process, with stdout/stderr captured. */
export async function runMain(args: readonly string[], stdin: string | Uint8Array = ""): Promise<RunResult> {
  let stdout = "", stderr = "";
  const code = await main(args, {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

export interface JsonOutput {
  weights: { layers: RefLayer[] };
  points: ({ x: number; t: number } & Record<(typeof QUANTITIES)[number], number>)[];
}

/** The largest relative error allowed against the float64 reference (the computation is float32). */
export const REL_TOL = 1e-5;

/** Relative error of got against ref; a reference of exactly 0 needs |got| < 1e-7. */
export function relErr(got: number, ref: number): number {
  if (ref === 0) return Math.abs(got) < 1e-7 ? 0 : Infinity;
  return Math.abs(got - ref) / Math.abs(ref);
}

/**
 * Checks every quantity of every point against the reference evaluated with the printed weights, within `tol`
 * relative. scale "each": relative to the quantity itself. scale "group" (default): relative to the size of its group
 * at that point, |f|, |grad f| for df/dx and df/dt, |Hessian| for the second derivatives, because a component that
 * is small next to the rest of its group has lost digits to cancellation in any float32 evaluation (a naive float32
 * emulation of the reference loses the same; e.g. d2f/dt2 = -7.3e-6 next to d2f/dx2 = 3.8e-4).
 */
export function expectMatchesReference(out: JsonOutput, options: { tol?: number; scale?: "each" | "group"; layers?: RefLayer[] } = {}): void {
  const tol = options.tol ?? REL_TOL;
  const layers = options.layers ?? out.weights.layers;
  expect(out.points.length).toBeGreaterThan(0);
  for (const p of out.points) {
    const ref = referenceDerivatives(layers, p.x, p.t);
    const g1 = Math.hypot(ref.df_dx, ref.df_dt);
    const g2 = Math.hypot(ref.d2f_dx2, ref.d2f_dxdt, ref.d2f_dtdx, ref.d2f_dt2);
    const group: Record<string, number> = { f: Math.abs(ref.f), df_dx: g1, df_dt: g1, d2f_dx2: g2, d2f_dxdt: g2, d2f_dtdx: g2, d2f_dt2: g2 };
    for (const q of QUANTITIES) {
      const scale = options.scale === "each" ? Math.abs(ref[q]) : group[q];
      const e = scale === 0 ? (Math.abs(p[q]) < 1e-7 ? 0 : Infinity) : Math.abs(p[q] - ref[q]) / scale;
      if (!(e <= tol)) {
        expect.fail(`${q} at (${p.x}, ${p.t}): gradtape ${p[q]}, float64 reference ${ref[q]}, error ${e.toExponential(2)} > ${tol} of ${options.scale === "each" ? "|" + q + "|" : "the group size"} ${scale}`);
      }
    }
  }
}

/** An expected-failure run: exit 2, nothing on stdout, one line on stderr starting with `gradtape: `, no stack. */
export function expectOneLineError(r: RunResult, ...mentions: (string | RegExp)[]): void {
  expect(r.code, `exit code; stderr: ${r.stderr}`).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n")).toBe(true);
  const lines = r.stderr.slice(0, -1).split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^gradtape: \S/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:|internal error/);
  for (const m of mentions) {
    if (typeof m === "string") expect(lines[0]).toContain(m);
    else expect(lines[0]).toMatch(m);
  }
}
