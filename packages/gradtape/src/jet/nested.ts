// The "nested-reverse" path of the engine (engine.ts): nested reverse tapes around the whole network, for any
// pointwise network (row i of the output depends only on row i of X), e.g. a subclassed Model or a plain function.
//
// The gradient of sum(U[:, o]) with respect to X is, row by row, the gradient of u_o at each point, so ONE reverse
// sweep gives every first derivative at every point; the same on a column of that gradient gives a row of second
// derivatives, and so on. With K the highest order asked for, K tapes are nested around the forward pass; tape k
// differentiates the level-k quantities and its gradient computation is recorded by tapes k+1..K-1 (and by any tape
// the caller has open, which makes the results trainable). Mixed partials are taken in sorted column order (u_tx is
// u_xt), so each needed prefix is differentiated once.
import { Tensor } from "../tensor.js";
import { GradientTape } from "../tape.js";
import { tidy } from "../memory.js";
import { slice, reshape, zeros } from "../ops.js";
import { ArgumentError, ShapeError, fmtShape, describe } from "../errors.js";
import type { DerivativeSpec } from "./spec.js";

const key = (output: number, wrt: readonly number[]) => `${output}:${wrt.join(",")}`;

/** One [N, 1] tensor per spec, in order, by nested GradientTapes. `outputs` null: the network must have one output. */
export function nestedDerivatives(apply: (x: Tensor) => Tensor, X: Tensor, specs: readonly DerivativeSpec[], outputs: number | null, op = "jet"): Tensor[] {
  const N = X.shape[0], d = N === 0 ? 0 : X.size / N;
  const K = Math.max(0, ...specs.map((s) => s.wrt.length));
  // prefixes[k]: the (output, sorted wrt of length k) whose gradient is needed at level k + 1
  const prefixes: Map<string, { output: number; wrt: number[] }>[] = Array.from({ length: K }, () => new Map());
  for (const s of specs) {
    for (let k = 0; k < s.wrt.length; k++) prefixes[k].set(key(s.output, s.wrt.slice(0, k)), { output: s.output, wrt: s.wrt.slice(0, k) });
  }
  const tapes = prefixes.map((p) => new GradientTape({ persistent: p.size > 1, watchAccessedVariables: false }));
  return tidy(() => {
    const have = new Map<string, Tensor>();
    const started: GradientTape[] = [];
    try {
      for (let k = K - 1; k >= 0; k--) { tapes[k].start(); started.push(tapes[k]); tapes[k].watch(X); }
      const U = apply(X);
      if (!(U instanceof Tensor)) throw new ArgumentError(`${op}: the network must return a Tensor, but it returned ${describe(U)}.`);
      if (U.rank !== 2 || U.shape[0] !== N) throw new ShapeError(`${op}: the network must map ${N} points to [${N}, outputs], but it returned shape ${fmtShape(U.shape)}.`);
      const m = U.shape[1];
      if (outputs === null ? m !== 1 : m !== outputs) {
        throw new ShapeError(outputs === null
          ? `${op}: the network has ${m} outputs; name them with { outputs: [...] } (e.g. ["u", "v"]).`
          : `${op}: { outputs } names ${outputs} outputs, but the network returns ${m} columns.`);
      }
      for (let o = 0; o < m; o++) have.set(key(o, []), m === 1 ? U : slice(U, [0, o], [N, 1]));
      for (let k = 0; k < K; k++) {
        tapes[k].stop();
        started.pop();
        for (const p of prefixes[k].values()) {
          const target = have.get(key(p.output, p.wrt))!;
          const g0 = tapes[k].gradient(target, X, { unconnected: "zero" }) as Tensor;
          const g = X.rank === 2 ? g0 : reshape(g0, [N, d]);
          const last = p.wrt[p.wrt.length - 1] ?? 0;
          for (let j = last; j < d; j++) have.set(key(p.output, [...p.wrt, j]), slice(g, [0, j], [N, 1]));
        }
      }
    } finally {
      while (started.length) started.pop()!.stop();
      for (const t of tapes) t.dispose();
    }
    return specs.map((s) => {
      const t = have.get(key(s.output, s.wrt));
      return t ? slice(t, [0, 0], [N, 1]) : zeros([N, 1], X.dtype); // a view per request, even when two coincide
    });
  });
}
