// jit(fn): compiles a function of tensors to a straight-line program in the core and replays it on later calls.
// The first call with a given signature (argument shapes, dtypes, which arguments are the same tensor, and every
// non-tensor argument's value) runs fn for real while the core records every op it runs, backward sweeps
// included (core trace.ts); later calls with that signature run the recorded ops in one wasm call, with no
// GradientTape, no per-op JavaScript and no Tensor objects except the results, and without the ops whose results
// no output needs. Derivatives stay exact (the same
// kernels run in the same order: results are bit-identical to calling fn) and a jitted function is itself
// differentiable by tapes around it, since a replay runs ordinary ops.
//
// What a replay cannot redo is refused while tracing, with an error: reading values that vary from call to call
// (data(), item() of an argument, of anything computed, or of a Variable), random draws, in-place updates (assign,
// optimizers).
// Tensors fn captures (weights, constants) are read at every call, so Variables updated in place between calls are
// seen; a captured JavaScript value (a number in a closure, say) is frozen at trace time, as in jax.jit.
import { core, scratch, writeScratch } from "./backend.js";
import { Tensor, wrap } from "./tensor.js";
import { tidy } from "./memory.js";
import { ArgumentError, throwCoreError, describe, type DType } from "./errors.js";
import { profileProgram, type StepTime } from "./jit-profile.js";

export interface JitOptions {
  /** how many signatures to keep compiled (default 16); the oldest is released beyond that */
  maxTraces?: number;
  /** fuse chains of elementwise ops into one pass over memory each (default true; the results are the same bits) */
  fuse?: boolean;
}

/** A compiled function: call it like fn; dispose() releases its programs (and the tensors they hold). */
export type Jitted<A extends unknown[], R> = ((...args: A) => R) & {
  /** releases every compiled program and what it holds (captured tensors, constants); calls after it throw */
  dispose(): void;
  [Symbol.dispose](): void;
  /** the number of signatures traced so far (a count that keeps growing means the signature keeps changing) */
  readonly traceCount: number;
  /** per compiled signature: the ops one call runs (in all, and per op name) and the tensors the program holds */
  programs(): { signature: string; ops: number; opCounts: Record<string, number>; held: number }[];
  /** one call on args (traced first if needed) run step by step: per step its op, elements written and µs (jit-profile.ts) */
  profile(...args: A): StepTime[];
};

/** Output skeleton: where each result tensor goes. */
type Skeleton = number | null | undefined | Skeleton[] | { [k: string]: Skeleton };
interface Entry {
  id: number; skeleton: Skeleton; shapes: (readonly number[])[]; dims: (readonly number[])[]; dtypes: DType[];
  /** when every argument is a distinct tensor: their shapes, dtypes and trainable flags (the fast path's check) */
  plain: { shapes: (readonly number[])[]; dtypes: DType[]; trainable: boolean[] } | null;
}

const trainableOf = (t: Tensor): boolean => (t as { trainable?: boolean }).trainable === true;

/**
 * Whether args (all tensors, pairwise distinct) match the signature `plain` describes: the check of the last
 * program used, made without building a signature string (about a fifth of a small replay's JavaScript time).
 */
function matchesPlain(args: readonly unknown[], plain: NonNullable<Entry["plain"]>): boolean {
  const n = plain.shapes.length;
  if (args.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const t = args[i];
    if (!(t instanceof Tensor) || t.dtype !== plain.dtypes[i] || trainableOf(t) !== plain.trainable[i]) return false;
    const s = t.shape, w = plain.shapes[i];
    if (s !== w) {
      if (s.length !== w.length) return false;
      for (let d = 0; d < s.length; d++) if (s[d] !== w[d]) return false;
    }
    for (let j = 0; j < i; j++) if (args[j] === t) return false;
  }
  return true;
}

const programFinalizer = new FinalizationRegistry<Map<string, Entry>>((cache) => {
  for (const e of cache.values()) { try { core().programRelease(e.id); } catch { /* core gone */ } }
});

/**
 * Walks the arguments: collects tensor leaves (in order), and builds the signature string. A tensor met again is
 * written as a back-reference, so f(x, x) and f(x, y) get different programs.
 */
function signature(args: readonly unknown[], leaves: Tensor[]): string {
  let key = "";
  const path: string[] = []; // where the walk is, joined only for an error message
  const walk = (v: unknown, depth: number): void => {
    if (v instanceof Tensor) {
      const seen = leaves.indexOf(v);
      if (seen >= 0) { key += `@${seen};`; return; }
      leaves.push(v);
      // trainable (a Variable a tape watches by itself) is part of the signature: it changes what fn computes
      key += `${v.dtype === "float64" ? "d" : v.dtype[0]}${trainableOf(v) ? "v" : ""}${v.shape.join("x")};`;  // d: float64
      return;
    }
    if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean" || typeof v === "string") {
      key += `${typeof v}:${String(v)};`;
      return;
    }
    if (depth < 8 && Array.isArray(v)) {
      key += "[";
      for (let i = 0; i < v.length; i++) { path.push(`[${i}]`); walk(v[i], depth + 1); path.pop(); }
      key += "]";
      return;
    }
    if (depth < 8 && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      key += "{";
      for (const k of Object.keys(v as object)) { key += `${JSON.stringify(k)}:`; path.push(`.${k}`); walk((v as Record<string, unknown>)[k], depth + 1); path.pop(); }
      key += "}";
      return;
    }
    throw new ArgumentError(`jit: ${path.join("")} is ${describe(v)}; a jitted function takes tensors, numbers, booleans, strings, ` +
      `null/undefined, and arrays or plain objects of them. Capture other values in fn's closure instead.`);
  };
  for (let i = 0; i < args.length; i++) { path.length = 0; path.push(`argument ${i}`); walk(args[i], 0); }
  return key;
}

/** The arguments with tensor leaves replaced, in walk order, by `subs`. */
function substitute(args: readonly unknown[], leaves: readonly Tensor[], subs: readonly Tensor[]): unknown[] {
  const walk = (v: unknown): unknown => {
    if (v instanceof Tensor) return subs[leaves.indexOf(v)];
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return args.map(walk);
}

/** The result's tensors (in order) and its skeleton; anything that is not a tensor, array or plain object is refused. */
function outputs(result: unknown, out: Tensor[]): Skeleton {
  const walk = (v: unknown, path: string, depth: number): Skeleton => {
    if (v instanceof Tensor) { out.push(v); return out.length - 1; }
    if (v === null || v === undefined) return v;
    if (depth < 8 && Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    if (depth < 8 && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const o: { [k: string]: Skeleton } = {};
      for (const [k, x] of Object.entries(v as object)) o[k] = walk(x, `${path}.${k}`, depth + 1);
      return o;
    }
    throw new ArgumentError(`jit: fn returned ${describe(v)} at ${path}; a jitted function must return tensors (alone, or in ` +
      `arrays or plain objects). A number computed from tensors would be frozen at its first value: return the tensor and read it after the call.`);
  };
  return walk(result, "result", 0);
}

function rebuild(s: Skeleton, ts: readonly Tensor[]): unknown {
  if (typeof s === "number") return ts[s];
  if (s === null || s === undefined) return s;
  if (Array.isArray(s)) return s.map((x) => rebuild(x, ts));
  const o: Record<string, unknown> = {};
  for (const k in s) o[k] = rebuild(s[k], ts);
  return o;
}

function describeProgram(signature: string, id: number): { signature: string; ops: number; opCounts: Record<string, number>; held: number } {
  const c = core();
  const ops = c.programSteps(id), opCounts: Record<string, number> = {};
  for (let k = 0; k < ops; k++) { const name = c.Op[c.programOp(id, k)] ?? "?"; opCounts[name] = (opCounts[name] ?? 0) + 1; }
  return { signature, ops, opCounts, held: c.programLeaves(id) };
}

/**
 * jit(fn): fn compiled per signature (see the top of this file). Results are new tensors owned by the caller (or
 * by the enclosing tidy), bit-identical to fn's; fn should be a pure function of its arguments and of tensors it
 * captures.
 */
export function jit<A extends unknown[], R>(fn: (...args: A) => R, options: JitOptions = {}): Jitted<A, R> {
  if (typeof fn !== "function") throw new ArgumentError(`jit: expected a function, got ${describe(fn)}.`);
  const maxTraces = options.maxTraces ?? 16;
  const fuse = options.fuse ?? true;
  if (typeof fuse !== "boolean") throw new ArgumentError(`jit: fuse must be true or false, got ${describe(options.fuse)}.`);
  if (!Number.isInteger(maxTraces) || maxTraces < 1) throw new ArgumentError(`jit: maxTraces must be a positive integer, got ${describe(options.maxTraces)}.`);
  const cache = new Map<string, Entry>();
  let traces = 0, disposed = false;
  let last: Entry | null = null;  // the program used last (a repeated signature skips building its string)

  function trace(key: string, args: A, leaves: Tensor[]): R {
    const c = core();
    writeScratch(leaves.map((t, i) => t.handleFor("jit", `tensor argument ${i}`)));
    if (c.traceBegin(leaves.length) < 0) throwCoreError("jit", leaves);
    const aliasHandles = Array.from(scratch().subarray(0, leaves.length));
    let ended = false;
    try {
      return tidy(() => {
        // the function sees aliases of its tensor arguments (core trace.ts says why); tidy frees them afterwards
        const aliases = aliasHandles.map((h) => wrap(h, "jit"));
        const result = fn(...(substitute(args, leaves, aliases) as A));
        const outs: Tensor[] = [];
        const skeleton = outputs(result, outs);
        writeScratch(outs.map((t, i) => t.handleFor("jit", `result tensor ${i}`)));
        ended = true;
        c.setFusion(fuse ? 1 : 0);
        const id = c.traceEnd(outs.length);
        c.setFusion(1);
        if (id === 0) throwCoreError("jit", outs);
        if (cache.size >= maxTraces) {
          const [oldKey, old] = cache.entries().next().value as [string, Entry];
          c.programRelease(old.id);
          cache.delete(oldKey);
          if (last === old) last = null;
        }
        const plainArgs = args.length === leaves.length && args.every((a, i) => a === leaves[i]);
        const plain = plainArgs ? { shapes: leaves.map((t) => t.shape), dtypes: leaves.map((t) => t.dtype), trainable: leaves.map(trainableOf) } : null;
        const entry: Entry = { id, skeleton, shapes: outs.map((t) => t.shape), dims: outs.map((t) => t.dims), dtypes: outs.map((t) => t.dtype), plain };
        cache.set(key, entry);
        last = entry;
        traces++;
        return result;
      });
    } catch (e) {
      if (!ended) c.traceAbort();
      throw e;
    }
  }

  function run(e: Entry, leaves: Tensor[]): R {
    const c = core();
    const n = leaves.length;
    let s = scratch();
    for (let i = 0; i < n; i++) s[i] = leaves[i].handleFor("jit", `tensor argument ${i}`);
    const m = c.programRun(e.id, n);
    if (m < 0) throwCoreError("jit", leaves);
    s = scratch(); // (the run may have grown the memory, which detaches the old view)
    // the result shapes are known from the trace: no call into the core per result
    const ts: Tensor[] = new Array(m);
    for (let i = 0; i < m; i++) ts[i] = new Tensor(s[i], e.shapes[i], e.dtypes[i], true, e.dims[i]);
    return (typeof e.skeleton === "number" ? ts[0] : rebuild(e.skeleton, ts)) as R;
  }

  const jitted = ((...args: A): R => {
    if (disposed) throw new ArgumentError("jit: this compiled function was disposed; make a new one with jit(fn).");
    if (last !== null && last.plain !== null && matchesPlain(args, last.plain)) return run(last, args as unknown as Tensor[]);
    const leaves: Tensor[] = [];
    const key = signature(args, leaves);
    const e = cache.get(key);
    if (e === undefined) return trace(key, args, leaves);
    last = e;
    return run(e, leaves);
  }) as Jitted<A, R>;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    programFinalizer.unregister(jitted);
    for (const e of cache.values()) core().programRelease(e.id);
    cache.clear();
    last = null;
  };
  Object.defineProperties(jitted, {
    dispose: { value: dispose },
    [Symbol.dispose]: { value: dispose },
    traceCount: { get: () => traces },
    programs: { value: () => [...cache.entries()].map(([signature, e]) => describeProgram(signature, e.id)) },
    profile: { value: (...args: A): StepTime[] => {
      tidy(() => { jitted(...args); });  // traces when new, and makes this signature's program the last one used
      const leaves: Tensor[] = [];
      const e = cache.get(signature(args, leaves));
      if (e === undefined) throw new ArgumentError("jit: profile() found no program for these arguments.");
      return profileProgram(e.id, leaves);
    } },
  });
  programFinalizer.register(jitted, cache, jitted);
  return jitted;
}

