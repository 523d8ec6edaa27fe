// gradtape as a benchmark library: the same adapter interface as peers/tfjs.mjs and peers/jax.mjs (see README.md),
// written against the public API only (`import * as gt from "gradtape"`), the way a user would write it when they
// want speed: constant weights as kept tensors, one batch for all points, nested GradientTapes whose inner
// gradients are recorded by the outer ones, the optimizer's in-place update.
//
// Variants (first = idiomatic):
//   seed  "nested-tapes":  f = net(X); g = inner.gradient(f, X) (per point, since rows are independent);
//                          H = outer.batchJacobian(g, X) -> [n, 2, 2]: one reverse sweep per gradient column.
//         "jet":           forward-mode Taylor jets (gt.jet, when the installed gradtape has it).
//         "jit":           the nested-tapes function compiled by gt.jit (traced on the first call, replayed after:
//                          no tapes, no per-op JavaScript), when the installed gradtape has it.
//   pinn  "nested-tapes":  u, (u_x, u_t) = t1.gradient(u, X), u_xx = t2.gradient(u_x, X)[:, 0], all under the
//                          weights' tape; loss = mean(r^2) + mse(u(boundary) - u_b); Adam via gt.optim.Adam.
//         "jet":           u, u_x, u_t, u_xx from one forward Taylor sweep (when available), same loss and update.
//         "jit":           the nested-tapes loss and weight gradients compiled by gt.jit; Adam applied outside.
//   seed-single and pinn  "tf-style" / "tf-style-jit": the same derivatives written as a TensorFlow user writes them
//                          (gradtape-tfstyle.mjs), eager and under gt.jit: eager overhead per op (issue 17, item 2).
import * as gt from "gradtape";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { bundleSize } from "./bundle.mjs";
import { tfStyleResidualTerms, tfStyleSeed } from "./gradtape-tfstyle.mjs";

export const name = "gradtape";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Forward-mode Taylor jets, if this build of gradtape has them: `gt.jet(model, X, { derivatives, vars, method })`
 * gives { name: [N, 1] tensor }. The Taylor sweep needs a Sequential of Dense layers (a plain function falls back to
 * nested tapes under method "auto"), so the jet variants build one, and ask for method "taylor" so that a silent
 * fallback cannot be measured under the jet's name. Detected at run time: the benchmark measures whatever the
 * workspace holds.
 */
const hasJet = () => typeof gt.jet === "function";
const hasJit = () => typeof gt.jit === "function";
const jetOf = (model, X, derivatives) => {
  const out = gt.jet(model, X, { derivatives, vars: ["x", "t"], method: "taylor" });
  return Array.isArray(out) ? out : derivatives.map((d) => out[d]);
};

const extra = () => [...(hasJet() ? ["jet"] : []), ...(hasJit() ? ["jit"] : [])];
const tfStyle = () => ["tf-style", ...(hasJit() ? ["tf-style-jit"] : [])];
export const variants = {
  get seedSingle() { return ["nested-tapes", ...extra(), ...tfStyle()]; },
  get seedBatch() { return ["nested-tapes", ...extra()]; },
  get pinn() { return ["nested-tapes", ...extra(), ...tfStyle()]; },
};

/**
 * options.simd: the core build ("baseline" unless given, so that the plain row is the same build on every Node);
 * options.threads: kernel threads (default 1).
 */
export async function setup(options = {}) {
  await gt.ready({ simd: options.simd ?? "baseline", threads: options.threads ?? 1 });
  const version = JSON.parse(readFileSync(path.join(path.dirname(require.resolve("gradtape")), "..", "package.json"), "utf8")).version;
  const info = gt.backendInfo();
  const label = (info.simd === "relaxed" ? "gradtape relaxed-simd" : "gradtape") + (info.threads > 1 ? ` ${info.threads} threads` : "");
  return { label, version: `${version} (${gitRev()})`, threads: info.threads };
}

/** The commit the measured build came from (and "+dirty" when the working tree differs), for the JSON record. */
function gitRev() {
  try {
    const git = (args) => require("node:child_process").execFileSync("git", args, { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return git(["rev-parse", "--short", "HEAD"]) + (git(["status", "--porcelain", "--", "../../packages"]) ? "+dirty" : "");
  } catch { return "unknown rev"; }
}

export async function teardown() {}

const ACT = { sigmoid: (h) => h.sigmoid(), tanh: (h) => h.tanh(), linear: (h) => h };

/** The net's weights as gradtape tensors [W0, b0, W1, b1, ...]: kept (constant) or Variables (trainable), in dtype
 *  (float64: the benchmark's float32 weights held exactly, as a cast of the float32 tensors would give). */
function upload(net, trainable, dtype = "float32") {
  return net.layers.flatMap((L) => {
    const W = gt.tensor(L.W, [L.nIn, L.nOut], dtype), b = gt.tensor(L.b, [L.nOut], dtype);
    if (!trainable) return [gt.keep(W), gt.keep(b)];
    const v = [gt.variable(W), gt.variable(b)];
    W.dispose(); b.dispose();
    return v;
  });
}

function mlp(P, net) {
  const n = P.length / 2, act = ACT[net.act], outAct = ACT[net.outAct];
  return (X) => {
    let h = X;
    for (let l = 0; l < n; l++) h = (l + 1 < n ? act : outAct)(h.matMul(P[2 * l]).add(P[2 * l + 1]));
    return h;
  };
}

/** The net as a gt.nn.Sequential of Dense layers holding its weights (Variables, in W0, b0, W1, b1, ... order). */
function sequential(net, dtype = "float32") {
  const n = net.layers.length;
  const model = new gt.nn.Sequential(net.layers.map((L, l) => new gt.nn.Dense({
    units: L.nOut, activation: l + 1 < n ? net.act : net.outAct, ...(l === 0 ? { inputShape: [L.nIn] } : {}),
    ...(dtype !== "float32" ? { dtype } : {}),
  })));
  gt.tidy(() => { model.apply(gt.zeros([1, net.layers[0].nIn], dtype)); }); // builds every layer
  model.setWeights(net.layers.flatMap((L) => [gt.tensor(L.W, [L.nIn, L.nOut], dtype), gt.tensor(L.b, [L.nOut], dtype)]));
  return model;
}

/**
 * Seed network f, input gradient and input Hessian at n points (one batch). Returns a function of the points
 * ([n][2] Float32Array) giving { f [n], grad [n][2], hess [n][2][2] }; nothing it makes outlives a call. dtype
 * "float64" (step-profile.mjs --dtype=float64): weights and points in float64.
 */
export async function seed(net, n, { variant, jitOptions, dtype = "float32" }) {
  if (variant === "jet") {
    const model = sequential(net, dtype);
    const names = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tt"];
    return async (points) => gt.tidy(() => {
      const X = gt.tensor(points, [n, 2], dtype);
      const [u, ux, ut, uxx, uxt, utt] = jetOf(model, X, names);
      const grad = gt.concat([ux, ut], 1), hess = gt.concat([uxx, uxt, uxt, utt], 1);
      return { f: u.data(), grad: grad.data(), hess: hess.data() };
    });
  }
  const f = mlp(upload(net, false, dtype), net);
  if (variant.startsWith("tf-style")) return tfStyleSeed(f, n, { jit: variant === "tf-style-jit" });
  const derivatives = (X) => {
    const outer = new gt.GradientTape(), inner = new gt.GradientTape();
    try {
      let u;
      const g = outer.record(() => {
        outer.watch(X);
        u = inner.record(() => { inner.watch(X); return f(X); });
        return inner.gradient(u, X);                       // [n, 2]: row i = grad of u_i at point i
      });
      const H = outer.batchJacobian(g, X);                 // [n, 2, 2]: H[i, a, b] = d g[i, a] / d X[i, b]
      return [u, g, H];
    } finally {
      inner.dispose(); outer.dispose();
    }
  };
  const run = variant === "jit" ? gt.jit(derivatives, jitOptions) : derivatives;
  const fn = async (points) => gt.tidy(() => {
    const [u, g, H] = run(gt.tensor(points, [n, 2], dtype));
    return { f: u.data(), grad: g.data(), hess: H.data() };
  });
  fn.compute = run; // (step-profile.mjs profiles the jitted function op by op)
  return fn;
}

/**
 * Burgers' PINN trainer: loss = mean((u_t + u u_x - nu u_xx)^2) + mean((u(xb, tb) - ub)^2), the gradient with
 * respect to every weight and bias, one gt.optim.Adam update (in place, in the core). dtype "float64"
 * (step-profile.mjs --dtype=float64): weights, points and the update in float64.
 */
export async function pinn(net, data, adam, { variant, jitOptions, dtype = "float32" }) {
  const model = variant.startsWith("jet") ? sequential(net, dtype) : null;  // (jit compiles the nested-tapes variant; jet-jit the jet)
  const vars = model ? model.weights : upload(net, true, dtype);
  const u = model ? (x) => model.apply(x) : mlp(vars, net);
  const N = data.colloc.length / 2, M = data.boundU.length;
  const Xc = gt.keep(gt.tensor(data.colloc, [N, 2], dtype));
  const Xb = gt.keep(gt.tensor(data.bound, [M, 2], dtype));
  const ub = gt.keep(gt.tensor(data.boundU, [M, 1], dtype));
  const nu = data.nu;
  const opt = new gt.optim.Adam({ learningRate: adam.lr, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.eps });

  let residualTerms;
  if (variant.startsWith("jet")) {
    const names = ["u", "u_x", "u_t", "u_xx"];
    residualTerms = () => jetOf(model, Xc, names);
  } else if (variant.startsWith("tf-style")) {
    residualTerms = () => tfStyleResidualTerms(u, Xc);
  } else {
    residualTerms = () => {
      // Only the weights' tape watches the variables; the input tapes watch X alone, so they record just the ops
      // on the path from X (all of them here) and their gradients are recorded by the tapes around them.
      const t2 = new gt.GradientTape({ watchAccessedVariables: false }), t1 = new gt.GradientTape({ watchAccessedVariables: false });
      try {
        let uc, ux, ut;
        t2.record(() => {
          t2.watch(Xc);
          uc = t1.record(() => { t1.watch(Xc); return u(Xc); });
          const g = t1.gradient(uc, Xc);                     // [N, 2]: (u_x, u_t) per point
          ux = g.slice([0, 0], [-1, 1]);
          ut = g.slice([0, 1], [-1, 1]);
        });
        const uxx = t2.gradient(ux, Xc).slice([0, 0], [-1, 1]);
        return [uc, ux, ut, uxx];
      } finally {
        t1.dispose(); t2.dispose();
      }
    };
  }
  const lossFn = () => {
    const [uc, ux, ut, uxx] = residualTerms();
    const r = ut.add(uc.mul(ux)).sub(uxx.mul(nu));
    return r.square().mean().add(u(Xb).sub(ub).square().mean());
  };

  const lossAndGrads = () => {
    const tape = new gt.GradientTape();
    try {
      const loss = tape.record(lossFn);
      return [loss, ...tape.gradient(loss, vars)];
    } finally {
      tape.dispose();
    }
  };
  const compute = variant.endsWith("jit") ? gt.jit(lossAndGrads, jitOptions) : lossAndGrads;
  return {
    async step(withGrads = false) {
      return gt.tidy(() => {
        const [loss, ...grads] = compute();
        const out = { loss: loss.item(), grads: withGrads ? grads.map((g) => g.data()) : undefined };
        opt.applyGradients(grads, vars);
        return out;
      });
    },
    async params() { return vars.map((v) => v.data()); },
    internals: { compute, opt, vars }, // (step-profile.mjs times the program op by op, and the optimizer apart)
    dispose() { if (model) model.dispose(); else gt.dispose(vars); gt.dispose([Xc, Xb, ub]); opt.dispose(); compute.dispose?.(); },
  };
}

/** Square float32 matmul; run() reads C back (what a caller of the other libraries gets too). */
export async function matmul(A, B, n) {
  const a = gt.tensor(A, [n, n]), b = gt.tensor(B, [n, n]);
  return {
    async run() { const c = gt.matMul(a, b); const out = c.data(); c.dispose(); return out; },
    dispose() { a.dispose(); b.dispose(); },
  };
}

/**
 * What a browser app ships: an app that imports the whole public API (`export * from "gradtape"`, so nothing can
 * be tree-shaken away), bundled and minified by Vite 8 (rolldown) for es2022, plus the wasm it fetches: core.wasm or
 * core-relaxed.wasm, whichever is larger (the loader fetches one of them).
 */
export async function shipped() {
  return [await bundleSize(`export * from "gradtape";`, "gradtape whole API, vite-minified JS + one core build")];
}
