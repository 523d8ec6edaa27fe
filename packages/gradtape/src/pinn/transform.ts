// Hard constraints: an output transform replaces the network's output N(x) by u(x) = transform(inputs, N), e.g.
// u = g(x) + d(x) N(x) with d = 0 exactly where a condition holds and g the prescribed values there, so the
// condition holds by construction (to float32 rounding) before any training and needs no loss term. The transform
// is written with tensor ops on the input columns ([N, 1] each, by variable name) and the output [N, m], so
// derivatives of u (for the residual) and gradients with respect to the weights flow through it on tapes; a
// transformed network is a plain function to gt.jet / pinn.derivatives, which then take the nested-tape path.
//
//   // Poisson on the unit square, u = 0 on the boundary:  u = x(1-x) y(1-y) N
//   transform: ({ x, y }, N) => x.mul(x.neg().add(1)).mul(y).mul(y.neg().add(1)).mul(N)
//   // Burgers: u(0, x) = -sin(pi x) and u(t, ±1) = 0:  u = -sin(pi x) + t (1 - x²) N
//   transform: ({ x, t }, N) => x.mul(Math.PI).sin().neg().add(t.mul(x.square().neg().add(1)).mul(N))
import { Tensor } from "../tensor.js";
import { tidy } from "../memory.js";
import { slice } from "../ops.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import { asFunction, type Net } from "./derivatives.js";

/** u = transform(input columns, network output) */
export type OutputTransform = (inputs: Readonly<Record<string, Tensor>>, out: Tensor) => Tensor;

/** The network with an output transform applied, as a function of the inputs [N, d] (for derivatives, jet, evaluate). */
export function constrain(net: Net, transform: OutputTransform, vars: readonly string[]): (x: Tensor) => Tensor {
  const op = "pinn.constrain";
  const apply = asFunction(net, op);
  if (typeof transform !== "function") throw new ArgumentError(`${op}: transform must be a function (inputs, N) => tensor, but got ${describe(transform)}.`);
  return (X: Tensor) => tidy(() => {
    if (X.rank !== 2 || X.shape[1] !== vars.length) throw new ShapeError(`${op}: inputs must be [N, ${vars.length}] (${vars.join(", ")}), but got ${fmtShape(X.shape)}.`);
    const cols: Record<string, Tensor> = {};
    vars.forEach((v, j) => { cols[v] = slice(X, [0, j], [-1, 1]); });
    const N = apply(X);
    const u = transform(cols, N);
    if (!(u instanceof Tensor)) throw new ArgumentError(`${op}: the transform must return a Tensor, but it returned ${describe(u)}.`);
    if (u.rank !== 2 || u.shape[0] !== N.shape[0] || u.shape[1] !== N.shape[1]) {
      throw new ShapeError(`${op}: the transform returned shape ${fmtShape(u.shape)}, but the network's output is ${fmtShape(N.shape)}; return one value per point and output.`);
    }
    return u;
  });
}

/** The network a problem's loss and evaluation use: with the problem's transform, if it has one. */
export function problemNetwork(problem: { transform?: OutputTransform; vars: readonly string[] }, net: Net): Net {
  return problem.transform ? constrain(net, problem.transform, problem.vars) : net;
}
