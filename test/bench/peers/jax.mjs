// jax-js (@jax-js/jax) as a benchmark peer. Same adapter interface as tfjs.mjs (see README.md).
//
// jax-js moves ownership: every Array passed to a function loses one reference, so anything
// used twice is passed as `x.ref` (or `tree.ref(p)`); dataSync() consumes the array it reads. Variant names record which formulation a row measured, because several natural
// ones give wrong numbers in 0.1.25 (the checks in workloads.mjs catch them).
import { readFileSync } from "node:fs";
import path from "node:path";
import { importPeer, peerDir } from "./resolve.mjs";
import { bundleSize } from "../bundle.mjs";

let jax, np, device;
const PKG = "@jax-js/jax";

export const name = "jax-js";

/** Formulations, in run order; the README says which is idiomatic and which are workarounds. */
export const variants = {
  seedSingle: ["hessian"],
  seedBatch: ["vmap-hessian", "vmap-jacrev"],
  // vmap-grad is the idiomatic JAX PINN but runs last: at 10,000 points it exhausts the 4 GiB
  // wasm memory, which jax-js never gives back, so anything after it in the process would fail.
  pinn: ["jvp", "vmap-grad"],
};

/**
 * Variants `--quick` does not run, and why (the table shows them as SKIPPED with this text; the full run measures
 * them). vmap-grad at 10,000 points spends ~30 s filling the 4 GiB wasm memory before it fails.
 */
export const skipInQuick = {
  pinn: { "vmap-grad": "not run by --quick: at 10,000 points it exhausts the 4 GiB wasm memory after ~30 s (and its weight gradients are wrong at width 20); the full run shows it" },
};

/**
 * Node 20 has no global `navigator`: a bare `init()` also tries WebGPU, touches navigator.gpu and
 * throws, so name the device. Node 20 has no global `Worker` either, so the wasm device runs on
 * one thread (its worker pool needs Worker + SharedArrayBuffer).
 */
export async function setup({ device: dev = "wasm" } = {}) {
  jax = await importPeer(PKG);
  np = jax.numpy;
  const got = await jax.init(dev);
  if (!got.includes(dev)) throw new Error(`jax-js device ${dev} unavailable (got ${got})`);
  jax.defaultDevice(dev);
  device = dev;
  const version = JSON.parse(readFileSync(path.join(peerDir(PKG), "package.json"), "utf8")).version;
  // the same test jax-js makes before it starts a worker pool (createWorkerPool)
  const pool = dev === "wasm" && typeof SharedArrayBuffer !== "undefined" && typeof Worker !== "undefined";
  return { label: `jax-js ${dev}`, version, threads: pool ? globalThis.navigator?.hardwareConcurrency || 4 : 1 };
}

export async function teardown() {}

const upload = (net) => net.layers.flatMap((L) => [np.array(L.W).reshape([L.nIn, L.nOut]), np.array(L.b)]);
const read = (a) => Float32Array.from(a.dataSync()); // dataSync consumes `a`; copy to be safe

/** Dense layers on a row vector or a batch of rows; p = [W0, b0, W1, b1, ...] is consumed. */
function mlp(p, h, act, outAct) {
  const n = p.length / 2;
  for (let l = 0; l < n; l++) {
    h = np.matmul(h, p[2 * l]).add(p[2 * l + 1]);
    const a = l + 1 < n ? act : outAct;
    if (a === "sigmoid") h = jax.nn.sigmoid(h);
    else if (a === "tanh") h = np.tanh(h);
  }
  return h;
}

/**
 * Seed network value, input gradient and input Hessian at `n` points.
 * hessian = jacfwd(grad); under jit(vmap(...)) on the wasm device it returns a wrong second
 * Hessian row for batches of 4 or more (eager, or n = 1, is right). jacrev(grad) is right.
 */
export async function seed(net, n, { variant }) {
  const P = upload(net);
  const second = variant === "vmap-jacrev" ? (g) => jax.jacrev(g) : (g) => jax.jacfwd(g);
  const one = (p, x) => {
    const fx = (xx) => mlp(jax.tree.ref(p), xx.reshape([1, 2]), net.act, net.outAct).reshape([]);
    const out = [fx(x.ref), jax.grad(fx)(x.ref), second(jax.grad(fx))(x)];
    jax.tree.dispose(p);
    return out;
  };
  const fn = jax.jit(n === 1 ? one : jax.vmap(one, [null, 0]));
  const shape = n === 1 ? [2] : [n, 2];
  return async (points) => {
    const [f, g, H] = fn(jax.tree.ref(P), np.array(points).reshape(shape));
    return { f: read(f), grad: read(g), hess: read(H) };
  };
}

/** Input derivatives (u, u_x, u_t, u_xx) of the Burgers net for columns x, t; two formulations. */
function derivatives(variant, net) {
  if (variant === "vmap-grad") {
    // Idiomatic JAX: a per-point scalar u, nested grad, vmap over points. On the wasm device at
    // width 20 its weight gradients are wrong (rel. error ~0.1 at 64 points; the cpu device gets
    // them right), and at 10,000 points it runs out of the 4 GiB wasm memory.
    const u1 = (p, x, t) => mlp(p, np.stack([x, t]).reshape([1, 2]), net.act, net.outAct).reshape([]);
    const ux1 = (p, x, t) => jax.grad((xx) => u1(p, xx, t))(x);
    const ut1 = (p, x, t) => jax.grad((tt) => u1(p, x, tt))(t);
    const uxx1 = (p, x, t) => jax.grad((xx) => ux1(p, xx, t))(x);
    const all1 = (p, x, t) => {
      const a = () => [jax.tree.ref(p), x.ref, t.ref];
      return [u1(...a()), ux1(...a()), ut1(...a()), uxx1(p, x, t)];
    };
    return (p, x, t) => jax.vmap(all1, [null, 0, 0])(p, x, t);
  }
  // Forward mode on the batch: points are independent, so a tangent of ones on the x column gives
  // every point's u_x at once, and jvp of that gives u_xx. Weight gradients are right.
  const uB = (p, x, t) => mlp(p, np.stack([x, t], 1), net.act, net.outAct).reshape([-1]);
  const ones = (a) => np.onesLike(a.ref);
  const ux = (p, x, t) => jax.jvp((xx) => uB(p, xx, t), [x], [ones(x)])[1];
  const ut = (p, x, t) => jax.jvp((tt) => uB(p, x, tt), [t], [ones(t)])[1];
  const uxx = (p, x, t) => jax.jvp((xx) => ux(p, xx, t), [x], [ones(x)])[1];
  return (p, x, t) => {
    const a = () => [jax.tree.ref(p), x.ref, t.ref];
    return [uB(...a()), ux(...a()), ut(...a()), uxx(p, x, t)];
  };
}

/**
 * Burgers' PINN trainer. One jitted function does loss, weight gradient and the Adam update
 * (Adam written out: @jax-js/optax is a separate package, and the rule is four lines).
 */
export async function pinn(net, data, adam, { variant }) {
  const { lr, beta1: b1, beta2: b2, eps } = adam;
  const derivs = derivatives(variant, net);
  const loss = (p, xc, tc, xb, tb, ub) => {
    const [u, ux, ut, uxx] = derivs(jax.tree.ref(p), xc, tc);
    const r = ut.add(u.mul(ux)).sub(uxx.mul(data.nu));
    const e = mlp(p, np.stack([xb, tb], 1), net.act, net.outAct).reshape([-1]).sub(ub);
    return np.mean(np.square(r)).add(np.mean(np.square(e)));
  };
  const valueAndGrad = jax.valueAndGrad(loss);
  // c1 = 1/(1-b1^t), c2 = 1/(1-b2^t) come in as arrays so the step compiles once, not per t.
  const step = jax.jit((p, m, v, c1, c2, xc, tc, xb, tb, ub) => {
    const [L, g] = valueAndGrad(jax.tree.ref(p), xc, tc, xb, tb, ub);
    const m2 = m.map((mi, i) => mi.mul(b1).add(g[i].ref.mul(1 - b1)));
    const v2 = v.map((vi, i) => vi.mul(b2).add(np.square(g[i].ref).mul(1 - b2)));
    const p2 = p.map((pi, i) =>
      pi.sub(m2[i].ref.mul(c1.ref).div(np.sqrt(v2[i].ref.mul(c2.ref)).add(eps)).mul(lr)));
    c1.dispose(); c2.dispose();
    return [L, g, p2, m2, v2];
  });
  const col = (a, k) => np.array(Float32Array.from({ length: a.length / 2 }, (_, i) => a[2 * i + k]));
  const D = [col(data.colloc, 0), col(data.colloc, 1), col(data.bound, 0), col(data.bound, 1), np.array(data.boundU)];
  let P = upload(net), M = P.map((a) => np.zerosLike(a.ref)), V = P.map((a) => np.zerosLike(a.ref)), t = 0;
  return {
    async step(withGrads = false) {
      t++;
      const c = [np.array(1 / (1 - b1 ** t)), np.array(1 / (1 - b2 ** t))];
      const [L, g, p2, m2, v2] = step(P, M, V, ...c, ...D.map((d) => d.ref));
      P = p2; M = m2; V = v2;
      const loss = L.dataSync()[0];
      if (!withGrads) { jax.tree.dispose(g); return { loss }; }
      return { loss, grads: g.map(read) };
    },
    async params() { return P.map((a) => read(a.ref)); },
    dispose() { jax.tree.dispose([P, M, V, D]); step.dispose(); },
  };
}

/** Square float32 matmul; run() returns C so the check can read it (the read forces evaluation). */
export async function matmul(A, B, n) {
  const a = np.array(A).reshape([n, n]), b = np.array(B).reshape([n, n]);
  const mm = jax.jit((x, y) => np.matmul(x, y));
  return {
    async run() { return mm(a.ref, b.ref).dataSync(); },
    dispose() { a.dispose(); b.dispose(); mm.dispose(); },
  };
}

/**
 * What a browser app ships for the wasm device: the entry chunk and the chunks it imports
 * statically. The webgpu/webgl chunks load only when those devices start. jax-js generates its
 * wasm at run time, so there is no .wasm file. The dist is not minified, so the same is also
 * bundled and minified with Vite (bundle.mjs), as gradtape's row is.
 */
export async function shipped() {
  const dist = path.join(peerDir(PKG), "dist");
  const entry = readFileSync(path.join(dist, "index.js"), "utf8");
  const statics = [...entry.matchAll(/^import .* from "\.\/([^"]+)";$/gm)].map((m) => m[1]);
  return [
    { label: `jax-js ${device ?? "wasm"} (dist, unminified)`, files: ["index.js", ...statics].map((f) => path.join(dist, f)) },
    // the same through the bundler gradtape's size row uses, so the two are compared minified alike
    await bundleSize(`export * from "${PKG}";`, "jax-js whole API, vite-minified (statically loaded chunks)"),
  ];
}
