// Float64 plain-JS reference for every benchmark workload. It shares no code with any library
// under test, so a peer (or gradtape) whose float32 numbers disagree with it is wrong, not "different".
//
// Input derivatives use forward-mode second-order jets in the two inputs (x, t): each quantity
// carries [value, d/dx, d/dt, d2/dx2, d2/dxdt, d2/dt2]. That gives f, grad and Hessian exactly
// (to float64 rounding) in one sweep, with no finite-difference step to tune.

const J = 6; // jet width: v, gx, gt, hxx, hxt, htt

// Activation with its first and second derivative, written in terms of the output y where cheap.
const ACT = {
  sigmoid: (z) => { const y = 1 / (1 + Math.exp(-z)), d = y * (1 - y); return [y, d, d * (1 - 2 * y)]; },
  tanh: (z) => { const y = Math.tanh(z), d = 1 - y * y; return [y, d, -2 * y * d]; },
  linear: (z) => [z, 1, 0],
};

/** Float64 copy of a net's layers (from inputs.mjs), so perturbations for finite differences are exact. */
export function toF64(net) {
  return net.layers.map((L) => ({ W: Float64Array.from(L.W), b: Float64Array.from(L.b), nIn: L.nIn, nOut: L.nOut }));
}

/** Jet of the network output at one point (x, t); layers from toF64, acts = [hidden, output]. */
function jetForward(layers, act, outAct, x, t, scratch) {
  let a = scratch[0];
  a.fill(0);
  a[0] = x; a[1] = 1; a[J] = t; a[J + 2] = 1;
  for (let l = 0; l < layers.length; l++) {
    const { W, b, nIn, nOut } = layers[l];
    const z = scratch[1 + (l & 1)]; // ping-pong: never the buffer `a` is read from
    z.fill(0, 0, nOut * J);
    for (let j = 0; j < nOut; j++) z[j * J] = b[j];
    for (let i = 0; i < nIn; i++) {
      // unrolled over the 6 jet components: this loop is the whole cost of a Burgers reference
      const ai = i * J, a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3], a4 = a[ai + 4], a5 = a[ai + 5];
      for (let j = 0, wi = i * nOut; j < nOut; j++) {
        const w = W[wi + j], zj = j * J;
        z[zj] += w * a0; z[zj + 1] += w * a1; z[zj + 2] += w * a2;
        z[zj + 3] += w * a3; z[zj + 4] += w * a4; z[zj + 5] += w * a5;
      }
    }
    const phi = ACT[l + 1 === layers.length ? outAct : act];
    for (let j = 0; j < nOut; j++) {
      const o = j * J;
      const [y, d1, d2] = phi(z[o]);
      const gx = z[o + 1], gt = z[o + 2];
      z[o] = y;
      z[o + 1] = d1 * gx; z[o + 2] = d1 * gt;
      z[o + 3] = d1 * z[o + 3] + d2 * gx * gx;
      z[o + 4] = d1 * z[o + 4] + d2 * gx * gt;
      z[o + 5] = d1 * z[o + 5] + d2 * gt * gt;
    }
    a = z;
  }
  return a; // first J entries: the (single) output's jet
}

function scratchFor(layers) {
  const w = Math.max(2, ...layers.map((L) => L.nOut)) * J;
  return [new Float64Array(w), new Float64Array(w), new Float64Array(w)];
}

/**
 * Seed network value, gradient and Hessian w.r.t. the inputs at n points.
 * Returns { f: [n], grad: [n][2], hess: [n][2][2] } as flat Float64Arrays.
 */
export function seedDerivatives(net, pts) {
  const layers = toF64(net), s = scratchFor(layers), n = pts.length / 2;
  const f = new Float64Array(n), grad = new Float64Array(2 * n), hess = new Float64Array(4 * n);
  for (let p = 0; p < n; p++) {
    const o = jetForward(layers, net.act, net.outAct, pts[2 * p], pts[2 * p + 1], s);
    f[p] = o[0];
    grad[2 * p] = o[1]; grad[2 * p + 1] = o[2];
    hess[4 * p] = o[3]; hess[4 * p + 1] = o[4]; hess[4 * p + 2] = o[4]; hess[4 * p + 3] = o[5];
  }
  return { f, grad, hess };
}

/** Burgers' PINN loss mean(r^2) + mean((u_b - u_b_true)^2), r = u_t + u u_x - nu u_xx, in float64. */
export function burgersLoss(layers, act, outAct, data) {
  const s = scratchFor(layers), { colloc, bound, boundU, nu } = data;
  const nc = colloc.length / 2, nb = boundU.length;
  let sr = 0, sb = 0;
  for (let p = 0; p < nc; p++) {
    const o = jetForward(layers, act, outAct, colloc[2 * p], colloc[2 * p + 1], s);
    const r = o[2] + o[0] * o[1] - nu * o[3];
    sr += r * r;
  }
  for (let p = 0; p < nb; p++) {
    const o = jetForward(layers, act, outAct, bound[2 * p], bound[2 * p + 1], s);
    const e = o[0] - boundU[p];
    sb += e * e;
  }
  return sr / nc + sb / nb;
}

/** mean over points of (jet component k)^2: a debugging aid to pinpoint which derivative a library gets wrong. */
export function termMean(layers, act, outAct, pts, k) {
  const s = scratchFor(layers), n = pts.length / 2;
  let acc = 0;
  for (let p = 0; p < n; p++) { const o = jetForward(layers, act, outAct, pts[2 * p], pts[2 * p + 1], s); acc += o[k] * o[k]; }
  return acc / n;
}

/** Parameters in the canonical order every library reports gradients in: W0, b0, W1, b1, ... */
export const paramArrays = (layers) => layers.flatMap((L) => [L.W, L.b]);

/**
 * Reference for the Burgers loss and its weight gradient projected on `directions` (each an
 * array of arrays shaped like paramArrays), by central differences in float64: the step h=1e-5
 * leaves truncation ~1e-10 and rounding ~1e-11, far below float32's error.
 */
export function burgersReference(net, data, directions, h = 1e-5) {
  const base = toF64(net);
  const loss = burgersLoss(base, net.act, net.outAct, data);
  const shifted = (dir, sign) => {
    const L = toF64(net), P = paramArrays(L);
    dir.forEach((d, k) => { for (let i = 0; i < d.length; i++) P[k][i] += sign * h * d[i]; });
    return burgersLoss(L, net.act, net.outAct, data);
  };
  const dirDerivs = directions.map((d) => (shifted(d, 1) - shifted(d, -1)) / (2 * h));
  return { loss, dirDerivs };
}

/** Probe directions for the gradient check: 3 random ones (touch every weight) and 5 single entries. */
export function gradientDirections(net, random) {
  const shapes = paramArrays(net.layers).map((a) => a.length);
  const dirs = [];
  for (let k = 0; k < 3; k++) dirs.push(shapes.map((n) => Float64Array.from({ length: n }, () => random.normal())));
  const last = shapes.length - 2, mid = 2 * Math.floor(net.layers.length / 2);
  for (const [p, i] of [[0, 0], [1, 0], [mid, 7], [last, 3], [last + 1, 0]]) {
    const d = shapes.map((n) => new Float64Array(n));
    d[p][Math.min(i, shapes[p] - 1)] = 1;
    dirs.push(d);
  }
  return dirs;
}

/** Float64 C = A B for a few sampled entries (a full 1024^3 product in JS would cost seconds). */
export function matmulSamples(A, B, n, count, random) {
  const out = [];
  for (let s = 0; s < count; s++) {
    const i = Math.floor(random.uniform() * n), j = Math.floor(random.uniform() * n);
    let c = 0, mag = 0;
    for (let k = 0; k < n; k++) { const p = A[i * n + k] * B[k * n + j]; c += p; mag += Math.abs(p); }
    out.push({ i, j, c, mag });
  }
  return out;
}
