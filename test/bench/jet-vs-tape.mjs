// Input derivatives by forward Taylor propagation (gt.jet, method "taylor": one stacked forward sweep) against
// nested reverse tapes (method "nested-reverse", what pinn.derivatives and the CLI do), on gradtape only:
//   pinn-step    Burgers' PINN (2 -> 8 x 20 tanh -> 1, 10,000 collocation + 300 boundary/initial points):
//                u, u_x, u_t, u_xx, r = u_t + u u_x - nu u_xx, loss = mean(r^2) + mse_boundary, weight gradient,
//                Adam step
//   seed-single  the seed network (2 -> 28 sigmoid -> 1 sigmoid): f, gradient, 2x2 Hessian at one point, read back
//   seed-batch   the same at 10,000 points
//   order-3/4    the pinn-step with a third-order residual u_t + u u_x + 0.0025 u_xxx (KdV) and a fourth-order one
//                u_t + u_xxxx, to show how the two methods scale with the order (checked against each other)
// Every figure is checked first: seed derivatives against the float64 jets of reference.mjs, the PINN loss and
// weight gradient against its float64 loss and central differences, and the two methods against each other.
// Medians of several samples after warm-up; the two methods alternate sample by sample, so drifting machine load
// hits both alike.
//
//   node test/bench/jet-vs-tape.mjs [--quick] [--samples=N] [--no-reference]
import * as gt from "gradtape";
import os from "node:os";
import * as inputs from "./inputs.mjs";
import * as reference from "./reference.mjs";
import { checkSeed, checkPinn } from "./check.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const noRef = args.includes("--no-reference");
const samplesArg = args.find((a) => a.startsWith("--samples="));
const SAMPLES = samplesArg ? Number(samplesArg.split("=")[1]) : quick ? 3 : 9;
const N_COLLOC = quick ? 1000 : 10_000, N_BOUND = 300, N_BATCH = quick ? 1000 : 10_000;
const METHODS = ["nested-reverse", "taylor"];

await gt.ready();

/** A gradtape Sequential with the net's weights (inputs.mjs layout: W [in][out] row-major, b [out]). */
function model(net) {
  const L = net.layers.length;
  const m = new gt.nn.Sequential(net.layers.map((l, i) => new gt.nn.Dense({
    units: l.nOut, activation: i + 1 === L ? net.outAct : net.act, ...(i === 0 ? { inputShape: [l.nIn] } : {}),
  })));
  gt.tidy(() => { m.apply(gt.zeros([1, net.layers[0].nIn])); }); // builds every layer
  gt.tidy(() => m.setWeights(net.layers.flatMap((l) => [gt.tensor(l.W, [l.nIn, l.nOut]), gt.tensor(l.b, [l.nOut])])));
  return m;
}

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const now = () => performance.now();

/**
 * Alternating samples of each variant's fn, after `warmup` calls each; fn may run `reps` times per sample. Both wall
 * time and this process's CPU time (user + system) per call: on a shared machine the CPU time is the steadier one.
 */
function timeAlternating(fns, { warmup = 2, samples = SAMPLES, reps = 1 } = {}) {
  for (const f of Object.values(fns)) for (let i = 0; i < warmup; i++) f();
  const wall = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let s = 0; s < samples; s++) {
    for (const [k, f] of Object.entries(fns)) {
      const c0 = process.cpuUsage(), t0 = now();
      for (let r = 0; r < reps; r++) f();
      wall[k].push((now() - t0) / reps);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1000 / reps);
    }
  }
  return Object.fromEntries(Object.keys(fns).map((k) => [k, { median: median(wall[k]), cpu: median(cpu[k]), min: Math.min(...wall[k]), max: Math.max(...wall[k]) }]));
}

// ---------------------------------------------------------------- PINN step
const BURGERS = { names: ["u", "u_x", "u_t", "u_xx"], residual: (d, nu) => d.u_t.add(d.u.mul(d.u_x)).sub(d.u_xx.mul(nu)) };
const KDV = { names: ["u", "u_x", "u_t", "u_xxx"], residual: (d) => d.u_t.add(d.u.mul(d.u_x)).add(d.u_xxx.mul(0.0025)) };
const ORDER4 = { names: ["u", "u_t", "u_xxxx"], residual: (d) => d.u_t.add(d.u_xxxx) };

function pinnTrainer(net, data, method, pde = BURGERS) {
  const m = model(net);
  const X = gt.tensor(data.colloc, [data.colloc.length / 2, 2]);
  const Xb = gt.tensor(data.bound, [data.bound.length / 2, 2]);
  const ub = gt.tensor(data.boundU, [data.boundU.length, 1]);
  const nu = data.nu;
  const opt = new gt.optim.Adam({ learningRate: inputs.adam.lr, beta1: inputs.adam.beta1, beta2: inputs.adam.beta2, epsilon: inputs.adam.eps });
  const lossFn = () => {
    const r = pde.residual(gt.jet(m, X, { derivatives: pde.names, vars: ["x", "t"], method }), nu);
    return r.square().mean().add(m.apply(Xb).sub(ub).square().mean());
  };
  const weights = m.trainableWeights;
  return {
    m,
    step: () => opt.minimize(lossFn, weights),
    lossAndGrads() {
      const tape = new gt.GradientTape();
      try {
        return gt.tidy(() => {
          const loss = tape.record(() => lossFn());
          const grads = tape.gradient(loss, weights);
          return { loss: loss.item(), grads: grads.map((g) => g.data()) };
        });
      } finally { tape.dispose(); }
    },
    params: () => weights.map((w) => w.data()),
    dispose() { opt.dispose?.(); m.dispose(); gt.dispose([X, Xb, ub]); },
  };
}

function relNorm(a, b) { let e = 0, s = 0; for (let i = 0; i < b.length; i++) { e += (a[i] - b[i]) ** 2; s += b[i] ** 2; } return Math.sqrt(e / (s || 1)); }

function pinnBench(pde = BURGERS, label = "pinn-step", withReference = !noRef) {
  const net = inputs.burgersNet();
  const data = inputs.burgersData(N_COLLOC, N_BOUND);
  const out = { case: `${label} ${N_COLLOC}+${N_BOUND}`, checks: {} };
  const trainers = Object.fromEntries(METHODS.map((k) => [k, pinnTrainer(net, data, k, pde)]));
  // correctness first: loss + weight gradient at the initial weights, then the first Adam update
  const first = {};
  for (const k of METHODS) {
    const lg = trainers[k].lossAndGrads();
    const before = trainers[k].params();
    const t0 = now();
    trainers[k].step();
    first[k] = { ...lg, firstStepMs: now() - t0, before, after: trainers[k].params() };
  }
  const ga = first.taylor.grads.flatMap((g) => Array.from(g)), gb = first["nested-reverse"].grads.flatMap((g) => Array.from(g));
  out.checks.taylorVsTape = { loss: Math.abs(first.taylor.loss - first["nested-reverse"].loss) / Math.abs(first["nested-reverse"].loss), grad: relNorm(ga, gb) };
  if (withReference) {
    const directions = reference.gradientDirections(net, inputs.rng(7));
    const ref = reference.burgersReference(net, data, directions);
    const before = reference.paramArrays(net.layers);
    for (const k of METHODS) out.checks[k] = checkPinn(first[k], ref, directions, before, first[k].after, inputs.adam).check;
  }
  const t = timeAlternating(Object.fromEntries(METHODS.map((k) => [k, trainers[k].step])), { samples: label === "pinn-step" ? SAMPLES : Math.min(SAMPLES, 5) });
  out.ms = Object.fromEntries(METHODS.map((k) => [k, t[k]]));
  out.firstStepMs = Object.fromEntries(METHODS.map((k) => [k, first[k].firstStepMs]));
  for (const k of METHODS) trainers[k].dispose();
  return out;
}

// ---------------------------------------------------------------- seed network
const SEED_NAMES = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tt"];
function seedFn(m, method) {
  return (pts) => gt.tidy(() => {
    const n = pts.length / 2;
    const X = gt.tensor(pts, [n, 2]);
    const r = gt.jet(m, X, { derivatives: SEED_NAMES, vars: ["x", "t"], method });
    const [f, fx, ft, fxx, fxt, ftt] = SEED_NAMES.map((k) => r[k].data());
    const grad = new Float32Array(2 * n), hess = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) {
      grad[2 * i] = fx[i]; grad[2 * i + 1] = ft[i];
      hess[4 * i] = fxx[i]; hess[4 * i + 1] = fxt[i]; hess[4 * i + 2] = fxt[i]; hess[4 * i + 3] = ftt[i];
    }
    return { f, grad, hess };
  });
}

function seedBench(n, label) {
  const net = inputs.seedNet();
  const m = model(net);
  const pts = n === 1 ? inputs.points(3, 11) : inputs.points(n, 12);
  const ref = reference.seedDerivatives(net, pts);
  const out = { case: label, checks: {} };
  const fns = {};
  for (const k of METHODS) {
    const fn = seedFn(m, k);
    const all = n === 1 ? [0, 1, 2].map((p) => fn(pts.subarray(2 * p, 2 * p + 2))) : [fn(pts)];
    const cat = (key) => Float32Array.from(all.flatMap((o) => Array.from(o[key])));
    out.checks[k] = checkSeed({ f: cat("f"), grad: cat("grad"), hess: cat("hess") }, ref).check;
    const p0 = n === 1 ? pts.subarray(0, 2) : pts;
    fns[k] = () => fn(p0);
  }
  const t = timeAlternating(fns, n === 1 ? { warmup: 200, samples: SAMPLES, reps: 200 } : { warmup: 2 });
  out.ms = Object.fromEntries(METHODS.map((k) => [k, t[k]]));
  m.dispose();
  return out;
}

// ---------------------------------------------------------------- run
const mem0 = gt.memory();
const results = [seedBench(1, "seed-single"), seedBench(N_BATCH, `seed-batch ${N_BATCH}`), pinnBench(),
  pinnBench(KDV, "order-3 step (KdV)", false), pinnBench(ORDER4, "order-4 step", false)];
const mem1 = gt.memory();
const cpu = os.cpus()[0]?.model ?? "?";
console.log(`\n## jet (Taylor) vs nested tapes — ${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${SAMPLES} samples${quick ? " (--quick)" : ""}\n`);
console.log("| workload | nested tapes: wall / CPU ms | Taylor jet: wall / CPU ms | speed-up wall / CPU | checks |");
console.log("| --- | ---: | ---: | ---: | --- |");
const f = (x) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
for (const r of results) {
  const a = r.ms["nested-reverse"], b = r.ms.taylor;
  const checks = Object.entries(r.checks).map(([k, v]) => `${k}: ${typeof v === "string" ? v : `loss ${v.loss.toExponential(1)}, grad ${v.grad.toExponential(1)}`}`).join("; ");
  console.log(`| ${r.case} | ${f(a.median)} / ${f(a.cpu)} | ${f(b.median)} / ${f(b.cpu)} | ${(a.median / b.median).toFixed(2)}x / ${(a.cpu / b.cpu).toFixed(2)}x | ${checks} |`);
}
const p = results[2];
console.log(`\nfirst pinn step (incl. set-up of the step, after the correctness pass): nested ${f(p.firstStepMs["nested-reverse"])} ms, Taylor ${f(p.firstStepMs.taylor)} ms`);
console.log(`memory: ${mem0.tensors} tensors before, ${mem1.tensors} after (${mem1.bytes - mem0.bytes} bytes more)`);
console.log(JSON.stringify({ machine: { cpu, cores: os.cpus().length, node: process.version }, samples: SAMPLES, results }));
