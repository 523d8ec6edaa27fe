// TensorFlow.js 4.22 as a benchmark peer, on its cpu backend (plain JS kernels) or its wasm
// backend (XNNPACK). Same adapter interface as jax.mjs (see README.md).
//
// tfjs cannot differentiate tanh/sigmoid/exp twice (tfjs#3252): their built-in gradients use ops
// that are not themselves recorded for differentiation, so a nested tf.grad throws "Cannot compute
// gradient of y=f(x) with respect to x". Variant "native" uses the built-ins (to show that
// failure); "customGrad" wraps each activation in a tf.customGrad whose gradient calls the
// wrapped activation again, so every derivative level is differentiable.
import path from "node:path";
import { importPeer, peerDir } from "./resolve.mjs";

let tf, backend;

export const name = "tfjs";

export const variants = {
  seedSingle: ["native", "customGrad"],
  seedBatch: ["native", "customGrad"],
  pinn: ["native", "customGrad"],
};

/**
 * backend "cpu": importing @tensorflow/tfjs is enough. backend "wasm": import
 * @tensorflow/tfjs-backend-wasm (registers it), then setWasmPaths(<package>/dist/) so Node's
 * emscripten loader reads the .wasm files from disk. On Node 20 it picks the SIMD build and no
 * threads (WASM_HAS_MULTITHREAD_SUPPORT is false), i.e. one thread.
 */
export async function setup({ backend: b = "cpu" } = {}) {
  // The cpu backend warns "install tfjs-node" on first use in Node; keep the bench output clean.
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf = await importPeer("@tensorflow/tfjs");
    if (b === "wasm") {
      const wasm = await importPeer("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(path.join(peerDir("@tensorflow/tfjs-backend-wasm"), "dist") + path.sep);
    }
    if (!(await tf.setBackend(b))) throw new Error(`tfjs backend ${b} failed to initialise`);
    await tf.ready();
    tf.tidy(() => tf.add(1, 1).dataSync()); // first op prints the banner
  } finally {
    console.warn = warn;
  }
  backend = b;
  const threads = b === "wasm" && tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? "?" : 1;
  return { label: `tfjs ${b}`, version: tf.version_core, threads };
}

export async function teardown() {
  tf.disposeVariables();
}

/** Activations for a variant: the built-ins, or recursive customGrad versions. */
function activations(variant) {
  if (variant === "native") return { sigmoid: tf.sigmoid, tanh: tf.tanh, linear: (x) => x };
  // d sigmoid = s (1 - s), d tanh = 1 - tanh^2, both written with the custom op itself, so the
  // gradient's own gradient goes through customGrad again (recomputing s is the price).
  const sigmoid = tf.customGrad((x, save) => {
    save([x]);
    return { value: tf.sigmoid(x), gradFunc: (dy, [xs]) => { const s = sigmoid(xs); return tf.mul(dy, tf.mul(s, tf.sub(1, s))); } };
  });
  const tanh = tf.customGrad((x, save) => {
    save([x]);
    return { value: tf.tanh(x), gradFunc: (dy, [xs]) => tf.mul(dy, tf.sub(1, tf.square(tanh(xs)))) };
  });
  return { sigmoid, tanh, linear: (x) => x };
}

function mlp(vars, X, act, outAct, acts) {
  let h = X;
  const n = vars.length / 2;
  for (let l = 0; l < n; l++) h = acts[l + 1 < n ? act : outAct](tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]));
  return h;
}

const upload = (net, make = tf.tensor) =>
  net.layers.flatMap((L) => [make(tf.tensor2d(L.W, [L.nIn, L.nOut])), make(tf.tensor1d(L.b))]);

/**
 * Seed network f, input gradient and input Hessian at n points. Per-point derivatives come from
 * differentiating the batch sum (point i's output depends only on point i); each Hessian column
 * is one more nested tf.grad.
 */
export async function seed(net, n, { variant }) {
  const W = upload(net, (t) => tf.keep(t));
  const acts = activations(variant);
  const f = (X) => mlp(W, X, net.act, net.outAct, acts);
  const g = tf.grad((X) => tf.sum(f(X)));
  const hcol = (k) => tf.grad((X) => tf.sum(tf.slice(g(X), [0, k], [-1, 1])));
  const h0 = hcol(0), h1 = hcol(1);
  return async (points) => {
    const [fv, gv, Hv] = tf.tidy(() => {
      const X = tf.tensor2d(points, [n, 2]);
      // H[p] = [[d g_x/dx, d g_x/dt], [d g_t/dx, d g_t/dt]]
      return [f(X), g(X), tf.stack([h0(X), h1(X)], 1)];
    });
    const out = { f: fv.dataSync(), grad: gv.dataSync(), hess: Hv.dataSync() };
    tf.dispose([fv, gv, Hv]);
    return out;
  };
}

/**
 * Burgers' PINN trainer with tf.train.adam. u, (u_x, u_t) and u_xx each take a sweep, because
 * a tfjs gradient function returns only gradients (no persistent tape to reuse a forward pass).
 */
export async function pinn(net, data, adam, { variant }) {
  const vars = upload(net, (t) => tf.variable(t));
  const acts = activations(variant);
  const u = (x, t) => mlp(vars, tf.concat([x, t], 1), net.act, net.outAct, acts);
  const uxut = tf.grads((x, t) => tf.sum(u(x, t)));
  const uxx = tf.grad((x) => tf.sum(tf.grad((x2) => tf.sum(u(x2, tc)))(x)));
  const column = (a, k) => tf.keep(tf.tensor2d(Float32Array.from({ length: a.length / 2 }, (_, i) => a[2 * i + k]), [a.length / 2, 1]));
  const xc = column(data.colloc, 0), tc = column(data.colloc, 1);
  const xb = column(data.bound, 0), tb = column(data.bound, 1);
  const ub = tf.keep(tf.tensor2d(data.boundU, [data.boundU.length, 1]));
  const loss = () => {
    const [ux, ut] = uxut([xc, tc]);
    const r = tf.sub(tf.add(ut, tf.mul(u(xc, tc), ux)), tf.mul(uxx(xc), data.nu));
    return tf.add(tf.mean(tf.square(r)), tf.mean(tf.square(tf.sub(u(xb, tb), ub))));
  };
  const opt = tf.train.adam(adam.lr, adam.beta1, adam.beta2, adam.eps);
  return {
    async step(withGrads = false) {
      const { value, grads } = tf.variableGrads(loss, vars);
      opt.applyGradients(grads);
      const lossValue = value.dataSync()[0];
      const out = { loss: lossValue, grads: withGrads ? vars.map((v) => grads[v.name].dataSync()) : undefined };
      tf.dispose([value, grads]);
      return out;
    },
    async params() { return vars.map((v) => v.dataSync()); },
    dispose() { tf.dispose([vars, xc, tc, xb, tb, ub]); opt.dispose(); },
  };
}

/** Square float32 matmul; run() reads C back (the read also waits for the kernel). */
export async function matmul(A, B, n) {
  const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
  return {
    async run() { const c = tf.matMul(a, b); const out = c.dataSync(); c.dispose(); return out; },
    dispose() { tf.dispose([a, b]); },
  };
}

/**
 * The published browser bundles an app would load (minified UMD builds): core + the backend, plus
 * for wasm the one .wasm file a SIMD browser fetches without cross-origin isolation. The
 * all-in-one @tensorflow/tfjs bundle (layers, converter, data, webgl) is listed for reference.
 */
export function shipped() {
  // core and backend-cpu are dependencies of @tensorflow/tfjs: look for them from its directory.
  const d = (pkg, file) => path.join(peerDir(pkg, "@tensorflow/tfjs"), "dist", file);
  const core = d("@tensorflow/tfjs-core", "tf-core.min.js");
  if (backend === "wasm") {
    return [{ label: "tfjs wasm (core + backend-wasm + simd .wasm)", files: [core, d("@tensorflow/tfjs-backend-wasm", "tf-backend-wasm.min.js"), d("@tensorflow/tfjs-backend-wasm", "tfjs-backend-wasm-simd.wasm")] }];
  }
  return [
    { label: "tfjs cpu (core + backend-cpu)", files: [core, d("@tensorflow/tfjs-backend-cpu", "tf-backend-cpu.min.js")] },
    { label: "@tensorflow/tfjs all-in-one (tf.min.js)", files: [d("@tensorflow/tfjs", "tf.min.js")] },
  ];
}
