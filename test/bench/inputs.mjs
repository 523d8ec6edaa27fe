// Deterministic inputs shared by every library in a run: the same weights and points go to
// gradtape, each peer and the float64 reference, so any difference is the library's doing.
// All tensors are plain row-major Float32Arrays; a dense kernel is [in][out], a bias is [out].

/** mulberry32: tiny seeded PRNG, so a rerun (and another machine) sees identical inputs. */
export function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - uniform(), v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

/**
 * A multilayer perceptron: sizes [2, 28, 1] etc., hidden activation `act`, output activation
 * `outAct` ('sigmoid' | 'tanh' | 'linear'), Glorot-normal weights, small random biases (non-zero so
 * a library that drops a bias gradient is caught).
 */
export function mlp(sizes, act, outAct, seed) {
  const r = rng(seed);
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l], nOut = sizes[l + 1];
    const std = Math.sqrt(2 / (nIn + nOut));
    const W = new Float32Array(nIn * nOut).map(() => std * r.normal());
    const b = new Float32Array(nOut).map(() => 0.1 * r.normal());
    layers.push({ W, b, nIn, nOut });
  }
  return { sizes, act, outAct, layers };
}

/** The seed network of the original report: (x, t) -> 28 sigmoid -> 1 sigmoid. */
export const seedNet = () => mlp([2, 28, 1], "sigmoid", "sigmoid", 1);

/** Burgers' PINN of Raissi et al.: (x, t) -> 8 tanh layers of 20 -> u (linear). */
export const burgersNet = (width = 20, depth = 8) =>
  mlp([2, ...Array(depth).fill(width), 1], "tanh", "linear", 2);

/** n points (x, t) in [-1, 1] x [0, 1], as Float32Array [n][2]. */
export function points(n, seed) {
  const r = rng(seed);
  const p = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    p[2 * i] = 2 * r.uniform() - 1;
    p[2 * i + 1] = r.uniform();
  }
  return p;
}

/**
 * Burgers' training data: collocation points, and boundary/initial points with their targets:
 * u(x, 0) = -sin(pi x) (half of them), u(-1, t) = u(1, t) = 0 (the other half).
 */
export function burgersData(nColloc, nBoundary) {
  const colloc = points(nColloc, 3);
  const r = rng(4);
  const bound = new Float32Array(2 * nBoundary), boundU = new Float32Array(nBoundary);
  for (let i = 0; i < nBoundary; i++) {
    if (i < nBoundary / 2) {
      const x = 2 * r.uniform() - 1;
      bound[2 * i] = x; bound[2 * i + 1] = 0;
      boundU[i] = -Math.sin(Math.PI * Math.fround(x));
    } else {
      bound[2 * i] = i % 2 ? 1 : -1; bound[2 * i + 1] = r.uniform();
      boundU[i] = 0;
    }
  }
  return { colloc, bound, boundU, nu: 0.01 / Math.PI };
}

/** Adam settings used by every library's pinn-step (explicit, since the defaults differ). */
export const adam = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Square float32 matrix of uniform [-1, 1) entries. */
export function matrix(n, seed) {
  const r = rng(seed);
  return new Float32Array(n * n).map(() => 2 * r.uniform() - 1);
}
