#!/usr/bin/env node
// How noisy is a float32 PINN loss along a line? Trains Burgers (seed 0) briefly, then samples phi(t) = f(w - t g)
// at 41 steps over ranges where the first-order decrease is 1e-3 .. 1e-6 of f, fits a quadratic in t by least
// squares and prints the fit's residual standard deviation relative to f: the rounding noise that L-BFGS's line
// search has to live with (pinn.train sets LBFGS lossNoise from it). Not part of npm test; takes minutes.
//   node test/bench/loss-noise.mjs [lbfgsSteps=2500]     (after a build)
import * as gt from "gradtape";

await gt.ready();
const problem = gt.pinn.getProblem("burgers");
const lbfgsSteps = Number(process.argv[2] ?? 2500);
const res = gt.pinn.train(problem, { seed: 0, adamSteps: 1000, lbfgsSteps });
console.log(`trained ${res.steps} steps (${res.stopReason}), loss ${res.finalLoss.toExponential(3)}, ${res.seconds.toFixed(0)} s`);
const data = gt.pinn.trainingData(problem, { seed: 0 });
const lossFn = gt.pinn.pinnLoss(problem, res.network, data);
const vars = res.network.trainableWeights;
const w0 = vars.map((v) => Float64Array.from(v.data()));
const tape = new gt.GradientTape();
const L = tape.record(() => lossFn());
const g = tape.gradient(L, vars).map((t) => Float64Array.from(t.data()));
const f0 = L.item();
tape.dispose();
let gg = 0;
for (const gi of g) for (const v of gi) gg += v * v;
const lossAt = (t) => {
  vars.forEach((v, i) => v.assign(gt.tensor(Float32Array.from(w0[i], (w, j) => w - t * g[i][j]), v.shape)));
  return gt.tidy(() => lossFn().item());
};
/** least-squares quadratic through (u_k, f_k): coefficients and the residual standard deviation */
function quadraticFit(us, fs) {
  const A = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  us.forEach((u, k) => { const r = [1, u, u * u]; for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) A[i][j] += r[i] * r[j]; A[i][3] += r[i] * fs[k]; } });
  for (let i = 0; i < 3; i++) for (let r = i + 1; r < 3; r++) { const q = A[r][i] / A[i][i]; for (let c = i; c < 4; c++) A[r][c] -= q * A[i][c]; }
  const c = [0, 0, 0];
  for (let i = 2; i >= 0; i--) { let s = A[i][3]; for (let j = i + 1; j < 3; j++) s -= A[i][j] * c[j]; c[i] = s / A[i][i]; }
  let ss = 0;
  us.forEach((u, k) => { const e = fs[k] - (c[0] + c[1] * u + c[2] * u * u); ss += e * e; });
  return { c, sd: Math.sqrt(ss / (us.length - 3)) };
}
console.log(`f = ${f0.toExponential(3)}, |g| = ${Math.sqrt(gg).toExponential(3)}`);
for (const rel of [1e-3, 1e-4, 1e-5, 1e-6]) {
  const T = (rel * f0) / gg; // first-order decrease over [0, T] = rel * f
  const us = Array.from({ length: 41 }, (_, k) => k / 40);
  const fs = us.map((u) => lossAt(u * T));
  const { c, sd } = quadraticFit(us, fs);
  console.log(`decrease ${rel.toExponential(0)} f expected, ${(-c[1] / f0).toExponential(2)} f fitted; noise sd ${(sd / f0).toExponential(2)} f`);
}
res.network.dispose();
data.dispose();
