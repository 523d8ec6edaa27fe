#!/usr/bin/env node
// float32 unchanged by a change to the core (written for the float64 dtype, issue 18): two builds of gradtape loaded
// in ONE process (so machine load hits both alike), (1) float32 results compared bit for bit (a small Burgers
// training with Adam + L-BFGS under jit, a seed network's jet, transcendental ops, matmul and reductions), and (2)
// per-call times of small eager ops, a tape gradient, a jit step, a large tanh and matmul 256, called alternately in
// blocks, medians over rounds.
//   node test/bench/float32-ab.mjs --base=/path/to/other/worktree [--rounds=21] [--only=SUBSTRING]
// (--base: the root of another checkout with its packages/gradtape/dist built; this checkout is the "branch")
import { fileURLToPath } from "node:url";
import os from "node:os";
const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? "1"]; }));
if (!args.base) { console.error("give --base=/path/to/the/other/checkout (its packages/gradtape/dist built)"); process.exit(2); }
const here = fileURLToPath(new URL("../../packages/gradtape/dist/index.js", import.meta.url));
const A = await import(`${args.base.replace(/\/$/, "")}/packages/gradtape/dist/index.js`);
const B = await import(here);
await A.ready(); await B.ready();
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
function run(gt) {
  const out = [];
  const r = gt.pinn.train(gt.pinn.getProblem("burgers"), { adamSteps: 100, lbfgsSteps: 100, collocationPoints: 1000, conditionPoints: 100, network: { hidden: [10, 10, 10] }, threads: 1 });
  for (const w of r.network.weights) out.push(...w.data());
  out.push(r.finalLoss);
  const X = gt.tensor(Float32Array.from({ length: 200 }, (_, i) => Math.sin(i)), [100, 2]);
  const net = new gt.nn.Sequential([new gt.nn.Dense({ units: 28, activation: "sigmoid", seed: 3, inputShape: [2] }), new gt.nn.Dense({ units: 1, activation: "sigmoid", seed: 4 })]);
  const j = gt.jet(net, X, { derivatives: ["u", "u_x", "u_y", "u_xx", "u_xy", "u_yy"], vars: ["x", "y"] });
  for (const t of Object.values(j)) out.push(...t.data());
  for (const f of ["exp", "log", "sin", "cos", "atan", "erf", "tanh", "sigmoid", "softplus", "sqrt"]) out.push(...gt[f](gt.abs(X)).data());
  out.push(...gt.matMul(X, gt.transpose(X)).sum(0).data(), ...gt.sum(X, 1).data(), ...gt.max(X, 0).data());
  return Float32Array.from(out);
}
const a = run(A), b = run(B);
let diff = 0; for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
console.log(`bits: ${a.length} float32 values compared; ${diff} differ`);
if (diff) process.exitCode = 1;

function mk(gt) {
  const s = gt.tensor(Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)), [1, 20]);
  const m = gt.tensor(Float32Array.from({ length: 400 }, (_, i) => Math.cos(i)), [20, 20]);
  const big = gt.tensor(Float32Array.from({ length: 200000 }, (_, i) => Math.sin(i) * 0.5), [10000, 20]);
  const a256 = gt.tensor(Float32Array.from({ length: 65536 }, (_, i) => Math.sin(i)), [256, 256]);
  const w = gt.variable(gt.tensor(Float32Array.from({ length: 400 }, (_, i) => Math.cos(i) * 0.1), [20, 20]));
  const x = gt.tensor(Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i)), [100, 20]);
  const step = gt.jit((x) => { const t = new gt.GradientTape(); const l = t.record(() => gt.tanh(gt.matMul(x, w)).square().mean()); const g = t.gradient(l, w); t.dispose(); return [l, g]; });
  return {
    "tanh [1,20] eager": () => gt.tidy(() => { gt.tanh(s); }),
    "add+mul [1,20] eager": () => gt.tidy(() => { gt.mul(gt.add(s, s), s); }),
    "matMul [1,20]x[20,20] eager": () => gt.tidy(() => { gt.matMul(s, m); }),
    "tape grad tanh(xW) [100,20]": () => gt.tidy(() => { const t = new gt.GradientTape(); const l = t.record(() => gt.tanh(gt.matMul(x, w)).square().mean()); t.gradient(l, w); t.dispose(); }),
    "jit step [100,20]": () => gt.tidy(() => { step(x); }),
    "tanh [10000,20]": () => gt.tidy(() => { gt.tanh(big); }),
    "matMul 256": () => gt.tidy(() => { gt.matMul(a256, a256); }),
  };
}
const wa = mk(A), wb = mk(B);
const rounds = Number(args.rounds ?? 21);
console.log(`times: load average ${os.loadavg().map((v) => v.toFixed(1)).join(" ")}; per call, medians of ${rounds} alternating rounds`);
for (const k of Object.keys(wa).filter((k) => !args.only || k.includes(args.only))) {
  const n = k.includes("256") || k.includes("10000") ? 5 : 300;
  const ta = [], tb = [];
  for (const f of [wa[k], wb[k]]) for (let i = 0; i < 200; i++) f();   // past V8's tier-up
  for (let r = 0; r < rounds; r++) {
    for (const [f, t] of r % 2 ? [[wb[k], tb], [wa[k], ta]] : [[wa[k], ta], [wb[k], tb]]) {
      const t0 = performance.now(); for (let i = 0; i < n; i++) f(); t.push((performance.now() - t0) / n);
    }
  }
  const ma = median(ta), mb = median(tb);
  console.log(`${k.padEnd(30)} base ${(ma * 1000).toFixed(2)} us  branch ${(mb * 1000).toFixed(2)} us  ratio ${(mb / ma).toFixed(3)}`);
}
