// What a jet() call asks for, in index form: derivative names -> (output column, sorted input columns), and the
// set of Taylor coefficients the forward sweep must carry to produce them.
//
// Names (shared with pinn/derivatives.ts, which imports this parser): "<output>" or "<output>_<vars>", the variables concatenated in any order
// ("u_xt" = "u_tx" = d2u/dx dt), multi-letter names matched longest first ("u_x1x2").
//
// A coefficient is a multiset of input columns S (sorted index list); coefficient S of a tensor h is D_S h, the
// partial derivative of h with respect to those inputs. Faà di Bruno's formula for y = s(z) (s elementwise) needs,
// for D_S y, the coefficients D_B z of every non-empty sub-multiset B of S, so the carried set is the requested
// multisets closed under taking sub-multisets. Ordered by size, then lexicographically; index 0 is the value.
import { ArgumentError, describe } from "../errors.js";

/** A parsed derivative request: output column and the input columns differentiated, sorted ([] for the value). */
export interface DerivativeSpec { name: string; output: number; wrt: number[] }

export const DEFAULT_VARS: readonly (readonly string[])[] = [[], ["x"], ["x", "y"], ["x", "y", "z"]];

export function checkNames(op: string, what: string, names: readonly string[]): void {
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(n))) {
    throw new ArgumentError(`${op}: ${what} must be an array of names made of letters and digits (starting with a letter), but got ${describe(names)}.`);
  }
  if (new Set(names).size !== names.length) throw new ArgumentError(`${op}: ${what} has a repeated name: ${names.join(", ")}.`);
}

/** Parses "u", "u_x", "u_xt", "v_yy", "u_x1x2" into output index and sorted variable indices. */
export function parseDerivative(name: string, vars: readonly string[], outputs: readonly string[], op = "jet"): DerivativeSpec {
  if (typeof name !== "string") throw new ArgumentError(`${op}: each derivative name must be a string such as "u_x", but got ${describe(name)}.`);
  const us = name.indexOf("_");
  const out = us < 0 ? name : name.slice(0, us);
  const o = outputs.indexOf(out);
  if (o < 0) {
    throw new ArgumentError(`${op}: "${name}" names output '${out}', but the outputs are ${outputs.map((s) => `'${s}'`).join(", ")}. ` +
      `Write "<output>_<variables>", e.g. "${outputs[0]}_${vars[0] ?? "x"}${vars[0] ?? "x"}"; name the outputs with { outputs: [...] }.`);
  }
  const wrt: number[] = [];
  if (us >= 0) {
    let rest = name.slice(us + 1);
    if (rest === "") throw new ArgumentError(`${op}: "${name}" has nothing after '_'; write e.g. "${out}_${vars[0]}".`);
    const byLength = vars.map((v, i) => [v, i] as const).sort((a, b) => b[0].length - a[0].length);
    while (rest.length > 0) {
      const hit = byLength.find(([v]) => rest.startsWith(v));
      if (!hit) {
        throw new ArgumentError(`${op}: in "${name}", '${rest}' does not start with an input variable; the variables are ${vars.map((s) => `'${s}'`).join(", ")}. ` +
          `Name the input columns with { vars: [...] } (e.g. { vars: ["x", "t"] }).`);
      }
      wrt.push(hit[1]);
      rest = rest.slice(hit[0].length);
    }
    wrt.sort((a, b) => a - b);
  }
  return { name, output: o, wrt };
}

const specCache = new Map<string, DerivativeSpec[]>();
/** Parsed names (cached by names, variables and outputs: a training loop parses the same list every step). */
export function parseAll(names: readonly string[], vars: readonly string[], outs: readonly string[], op: string): DerivativeSpec[] {
  const key = JSON.stringify([names, vars, outs]);
  let specs = specCache.get(key);
  if (!specs) {
    specs = names.map((n) => parseDerivative(n, vars, outs, op));
    if (specCache.size >= 64) specCache.delete(specCache.keys().next().value!);
    specCache.set(key, specs);
  }
  return specs;
}

/**
 * The checks jet() and pinn.derivatives() share, for inputs with d columns: the variable names (defaults for 1 to 3
 * columns), the output names, and the requests parsed. `note` adds to the column-count message (e.g. X's shape).
 * Returns the parsed requests and the number of outputs named (null: the network must have one output).
 */
export function resolveRequests(op: string, d: number, names: readonly string[], vars: readonly string[] | undefined, outs: readonly string[] | undefined, note = ""): { specs: DerivativeSpec[]; outputs: number | null } {
  const v = vars ?? DEFAULT_VARS[d];
  if (v === undefined) throw new ArgumentError(`${op}: X has ${d} input columns; name them with { vars: [...] } (defaults exist for 1 to 3 columns).`);
  checkNames(op, "vars", v);
  if (v.length !== d) throw new ArgumentError(`${op}: ${v.length} variable names (${v.join(", ")}) for ${d} input columns${note}; give one name per column of X.`);
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError(`${op}: names must be a non-empty array such as ["u", "u_x"], but got ${describe(names)}.`);
  if (outs !== undefined) checkNames(op, "outputs", outs);
  for (const o of outs ?? []) if (v.includes(o)) throw new ArgumentError(`${op}: '${o}' is both an output and a variable name.`);
  return { specs: parseAll(names, v, outs ?? ["u"], op), outputs: outs === undefined ? null : outs.length };
}

export const msKey = (s: readonly number[]): string => s.join(",");

/** All non-empty sub-multisets of a sorted multiset (sorted, without repeats), the multiset itself included. */
export function subMultisets(s: readonly number[]): number[][] {
  const vals: number[] = [], counts: number[] = [];
  for (const v of s) {
    if (vals.length && vals[vals.length - 1] === v) counts[counts.length - 1]++;
    else { vals.push(v); counts.push(1); }
  }
  const out: number[][] = [];
  const cur = new Array(vals.length).fill(0);
  for (;;) {
    let i = 0;
    while (i < vals.length && cur[i] === counts[i]) { cur[i] = 0; i++; }
    if (i === vals.length) break;
    cur[i]++;
    const m: number[] = [];
    vals.forEach((v, j) => { for (let c = 0; c < cur[j]; c++) m.push(v); });
    out.push(m);
  }
  return out;
}

/** One term of Faà di Bruno's formula: mult * s^(k)(z) * prod_B D_B z, the blocks given as coefficient indices. */
export interface FdbTerm { k: number; blocks: number[]; mult: number }

export interface CoefficientPlan {
  /** coefficient multisets, index 0 = [] (the value); sorted by size, then lexicographically */
  coefs: number[][];
  /** index of a multiset key in coefs */
  index: Map<string, number>;
  /** per coefficient: the Faà di Bruno terms with k >= 2 blocks (the k = 1 term, s' D_S z, is implicit) */
  terms: FdbTerm[][];
  /** the highest order carried */
  order: number;
}

/** Set partitions of {0..m-1}, each as a list of blocks (lists of positions). Bell(m) of them: 1, 2, 5, 15, 52, ... */
function setPartitions(m: number): number[][][] {
  let parts: number[][][] = [[]];
  for (let p = 0; p < m; p++) {
    const next: number[][][] = [];
    for (const part of parts) {
      for (let b = 0; b < part.length; b++) next.push(part.map((blk, i) => (i === b ? [...blk, p] : blk)));
      next.push([...part, [p]]);
    }
    parts = next;
  }
  return parts;
}

const planCache = new Map<string, CoefficientPlan>();

/** The coefficient plan for these requests (cached: a training loop asks for the same one every step). */
export function planCoefficients(requests: readonly (readonly number[])[]): CoefficientPlan {
  const key = requests.map(msKey).join("|");
  let plan = planCache.get(key);
  if (!plan) {
    if (planCache.size >= 64) planCache.delete(planCache.keys().next().value!);
    plan = makePlan(requests);
    planCache.set(key, plan);
  }
  return plan;
}

function makePlan(requests: readonly (readonly number[])[]): CoefficientPlan {
  const all = new Map<string, number[]>([["", []]]);
  for (const r of requests) for (const s of subMultisets(r)) all.set(msKey(s), s);
  const coefs = [...all.values()].sort((a, b) => a.length - b.length || cmpLex(a, b));
  const index = new Map(coefs.map((c, i) => [msKey(c), i]));
  const order = coefs[coefs.length - 1].length;
  const terms = coefs.map((S) => {
    if (S.length < 2) return [];
    // group the set partitions of S's positions by the multiset of blocks they produce
    const grouped = new Map<string, FdbTerm>();
    for (const part of setPartitions(S.length)) {
      if (part.length < 2) continue;
      const blocks = part.map((blk) => index.get(msKey(blk.map((p) => S[p]).sort((a, b) => a - b)))!).sort((a, b) => a - b);
      const key = blocks.join("|");
      const t = grouped.get(key);
      if (t) t.mult++; else grouped.set(key, { k: blocks.length, blocks, mult: 1 });
    }
    return [...grouped.values()].sort((a, b) => a.k - b.k);
  });
  return { coefs, index, terms, order };
}

function cmpLex(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
