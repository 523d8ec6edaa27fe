// Function transforms built on GradientTape. Because every backward rule is made of recorded ops, they compose:
// grad(grad(f)) is the second derivative, hessian(f) is jacobian(grad(f)), and jvp uses the transpose of a vjp
// (the "double vjp" trick: u -> vjp(u) is linear, so its vjp with cotangent t is J t).
import { GradientTape } from "./tape.js";
import { Tensor } from "./tensor.js";
import { ArgumentError, GradientError, describe } from "./errors.js";
import { tidy } from "./memory.js";
import { zerosLike } from "./ops.js";
import * as check from "./check.js";

type Fn = (...args: Tensor[]) => Tensor;

function checkArgs(op: string, args: Tensor[]): void {
  if (!Array.isArray(args)) throw new ArgumentError(`${op}: the arguments must be an array of tensors, but got ${describe(args)}.`);
  args.forEach((a, i) => check.tensorArg(op, `argument ${i}`, a));
}

function gradsOf(op: string, f: Fn, args: Tensor[]): { value: Tensor; grads: Tensor[] } {
  checkArgs(op, args);
  const tape = new GradientTape();
  try {
    const value = tape.record(() => { tape.watch(args); return f(...args); });
    if (!(value instanceof Tensor)) throw new ArgumentError(`${op}: f must return a Tensor.`);
    const gs = tape.gradient(value, args, { unconnected: "zero" }) as Tensor[];
    return { value, grads: gs };
  } finally { tape.dispose(); }
}

/** grad(f)(...args): the gradient of sum(f(args)) with respect to each argument (one tensor if one argument). */
export function grad(f: Fn): (...args: Tensor[]) => Tensor | Tensor[] {
  check.fn("grad", "f", f);
  return (...args) => {
    const { value, grads } = gradsOf("grad", f, args);
    value.dispose();
    return args.length === 1 ? grads[0] : grads;
  };
}

/** valueAndGrad(f)(...args) -> { value, grads } */
export function valueAndGrad(f: Fn): (...args: Tensor[]) => { value: Tensor; grads: Tensor | Tensor[] } {
  check.fn("valueAndGrad", "f", f);
  return (...args) => {
    const { value, grads } = gradsOf("valueAndGrad", f, args);
    return { value, grads: args.length === 1 ? grads[0] : grads };
  };
}

/** vjp(f, primals, cotangent) -> { value: f(primals), vjp: cotangent^T J } */
export function vjp(f: Fn, primals: Tensor[], cotangent: Tensor): { value: Tensor; vjp: Tensor[] } {
  check.fn("vjp", "f", f);
  checkArgs("vjp", primals); check.tensorArg("vjp", "cotangent", cotangent);
  const tape = new GradientTape();
  try {
    const value = tape.record(() => { tape.watch(primals); return f(...primals); });
    const g = tape.gradient(value, primals, { outputGradients: cotangent, unconnected: "zero" }) as Tensor[];
    return { value, vjp: g };
  } finally { tape.dispose(); }
}

/** jvp(f, primals, tangents) -> { value, jvp: J t } (forward-mode product via the transpose of a vjp). */
export function jvp(f: Fn, primals: Tensor[], tangents: Tensor[]): { value: Tensor; jvp: Tensor } {
  check.fn("jvp", "f", f);
  checkArgs("jvp", primals); checkArgs("jvp (tangents)", tangents);
  if (tangents.length !== primals.length) throw new ArgumentError(`jvp: ${tangents.length} tangents for ${primals.length} primals; give one per primal.`);
  const outer = new GradientTape();
  const inner = new GradientTape();
  try {
    // J t = d/du <vjp(u), t>. The inner product must be computed while `outer` records: it is the function of u
    // whose gradient is J t. (It used to be computed after record() returned, so `outer` saw no path from u to it
    // and jvp returned zeros.) tidy frees the vjp and the partial sums; value, u and the total are kept.
    const { value, u, total } = outer.record(() => tidy(() => {
      const value = inner.record(() => { inner.watch(primals); return f(...primals); });
      const u = zerosLike(value);            // any value works: the vjp is linear in u
      outer.watch(u);
      const gs = inner.gradient(value, primals, { outputGradients: u, unconnected: "zero" }) as Tensor[];
      let total = gs[0].mul(tangents[0]).sum();
      for (let i = 1; i < gs.length; i++) total = total.add(gs[i].mul(tangents[i]).sum());
      return { value, u, total };
    }));
    const jt = outer.gradient(total, u, { unconnected: "zero" });
    total.dispose();
    u.dispose();
    if (jt === null) throw new GradientError("jvp: internal error, no product computed.");
    return { value, jvp: jt };
  } finally { inner.dispose(); outer.dispose(); }
}

/** hessian(f)(x): H[i..., j...] = d^2 sum(f) / dx[i...] dx[j...]. */
export function hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  check.fn("hessian", "f", f);
  return (x) => {
    checkArgs("hessian", [x]);
    const outer = new GradientTape();
    const inner = new GradientTape();
    try {
      return tidy(() => {
        const g = outer.record(() => {
          outer.watch(x);
          const y = inner.record(() => { inner.watch(x); return f(x); });
          return inner.gradient(y, x, { unconnected: "zero" }) as Tensor;
        });
        const h = outer.jacobian(g, x, { unconnected: "zero" });
        // Returned from tidy, h moves to the caller's scope. keep(h) here untracked it from every scope, so a caller's
        // tidy(() => hessian(f)(x)) could never free it (2 tensor records leaked per call: h and the rows it views).
        return h as Tensor;
      });
    } finally { inner.dispose(); outer.dispose(); }
  };
}
