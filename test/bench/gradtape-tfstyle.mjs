// gradtape driven the way a TensorFlow 2 user writes input derivatives (issue 17, item 2): the input's columns as
// separate tensors x and t, a persistent outer tape and an inner one both watching them, u = net(concat([x, t])),
// the inner tape's gradient for (u_x, u_t), then one outer gradient call per first derivative, and a data() read.
// This is the shape of Raissi et al.'s TF code and of most PINN tutorials, written line for line in gradtape, so
// that the goal "eager TF-style code within 2x of the same computation under gt.jit" has a figure: the
// "tf-style" variants are this code run eagerly, the "tf-style-jit" ones the same function under gt.jit.
import * as gt from "gradtape";

/**
 * The TF-style derivatives of `f` at X [n, 2]: u [n, 1], and the requested first and second derivatives
 * ([n, 1] each). `second` lists which first derivatives get an outer gradient call ("x": u_xx and u_xt, "t": u_tx
 * and u_tt); the seed network needs both (its full Hessian), Burgers' residual only the first (u_xx).
 */
export function tfStyleDerivatives(f, X, second) {
  const x = X.slice([0, 0], [-1, 1]), t = X.slice([0, 1], [-1, 1]);
  const outer = new gt.GradientTape({ persistent: true, watchAccessedVariables: false });
  const inner = new gt.GradientTape({ watchAccessedVariables: false });
  try {
    let u, ux, ut;
    outer.record(() => {
      outer.watch([x, t]);
      u = inner.record(() => { inner.watch([x, t]); return f(gt.concat([x, t], 1)); });
      [ux, ut] = inner.gradient(u, [x, t]);
    });
    const out = { u, ux, ut };
    if (second.includes("x")) [out.uxx, out.uxt] = outer.gradient(ux, [x, t], { unconnected: "zero" });
    if (second.includes("t")) [out.utx, out.utt] = outer.gradient(ut, [x, t], { unconnected: "zero" });
    return out;
  } finally {
    inner.dispose(); outer.dispose();
  }
}

/** The seed network's TF-style function of f: X -> [u, gradient, Hessian] (concat(u_x, u_t), concat(u_xx, u_xt,
 *  u_tx, u_tt)). */
export function seedDerivatives(f) {
  return (X) => {
    const d = tfStyleDerivatives(f, X, ["x", "t"]);
    return [d.u, gt.concat([d.ux, d.ut], 1), gt.concat([d.uxx, d.uxt, d.utx, d.utt], 1)];
  };
}

/** The seed network `net` (inputs.mjs seedNet(): 2 -> 28 sigmoid -> 1 sigmoid) as f(X) on kept weight tensors, and
 *  its seedDerivatives; after ready(). */
export function seedTfStyle(net) {
  const P = net.layers.flatMap((L) => [gt.keep(gt.tensor(L.W, [L.nIn, L.nOut])), gt.keep(gt.tensor(L.b, [L.nOut]))]);
  const f = (X) => X.matMul(P[0]).add(P[1]).sigmoid().matMul(P[2]).add(P[3]).sigmoid();
  return { f, tfStyle: seedDerivatives(f) };
}

/** Seed network, TF style, as the benchmark calls it: points in, seedDerivatives (eager or jitted), data() out. */
export function tfStyleSeed(f, n, { jit }) {
  const derivatives = seedDerivatives(f);
  const run = jit ? gt.jit(derivatives) : derivatives;
  return async (points) => gt.tidy(() => {
    const [u, g, H] = run(gt.tensor(points, [n, 2]));
    return { f: u.data(), grad: g.data(), hess: H.data() };
  });
}

/** Burgers' residual terms TF style: [u, u_x, u_t, u_xx] at the collocation points Xc. */
export function tfStyleResidualTerms(u, Xc) {
  const d = tfStyleDerivatives(u, Xc, ["x"]);
  return [d.u, d.ux, d.ut, d.uxx];
}
