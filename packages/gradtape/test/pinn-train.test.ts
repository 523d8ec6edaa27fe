// Stating problems, training (Adam then L-BFGS, progress, time limit, stop from the callback), memory staying
// flat over thousands of steps, evaluation, and the network's folded export.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, optim, memory, tidy, tensor, ArgumentError, type Tensor } from "gradtape";

beforeAll(async () => { await ready(); });

const tiny = { network: { hidden: [8, 8] }, collocationPoints: 32, conditionPoints: 2 };

describe("problem statements", () => {
  it("defineProblem checks the statement and names what is wrong", () => {
    const base = {
      name: "p", domain: { x: [0, 1] as [number, number] }, uses: ["u_xx"],
      residual: (d: Readonly<Record<string, Tensor>>) => d.u_xx,
      conditions: [{ on: { x: 0 }, value: 0 }],
    };
    const ok = pinn.defineProblem(base as unknown as pinn.ProblemSpec);
    expect(ok.vars).toEqual(["x"]);
    expect(ok.conditions[0].name).toBe("x=0");
    const bad = (patch: object) => () => pinn.defineProblem({ ...base, ...patch } as unknown as pinn.ProblemSpec);
    expect(bad({ uses: ["u_t"] })).toThrow(/'t' does not start with an input variable/);
    expect(bad({ conditions: [{ on: { t: 0 }, value: 0 }] })).toThrow(/'t', which is not a variable/);
    expect(bad({ conditions: [{ on: { x: 2 }, value: 0 }] })).toThrow(/outside the domain/);
    expect(bad({ conditions: [{ on: { x: 0 }, value: "zero" }] })).toThrow(/value must be/);
    expect(bad({ domain: { x: [1, 0] } })).toThrow(/lo < hi/);
    expect(bad({ outputs: ["x"] })).toThrow(/both an output and a variable/);
    expect(() => ok.reference()).toThrow(/neither an exact solution nor a reference/);
  });

  it("condition points sit on their faces, split in proportion to the faces' sizes", () => {
    const p = pinn.problems.burgers;
    expect(pinn.splitConditionPoints(p.conditions, 100)).toEqual([50, 25, 25]);
    expect(pinn.splitConditionPoints(pinn.problems.poisson1d.conditions, 100)).toEqual([1, 1]);
    const data = pinn.trainingData(p, { collocationPoints: 64, conditionPoints: 40, seed: 2 });
    try {
      expect(data.collocation.shape).toEqual([64, 2]);
      expect(data.conditionCount).toBe(40);
      const [g] = data.groups;
      const pts = g.points.data(), vals = g.values.data();
      for (let i = 0; i < 40; i++) {
        const [x, t] = [pts[2 * i], pts[2 * i + 1]];
        if (t === 0) expect(vals[i]).toBeCloseTo(-Math.sin(Math.PI * x), 6);
        else { expect(Math.abs(x)).toBe(1); expect(vals[i]).toBe(0); }
      }
    } finally { data.dispose(); }
  });
});

describe("training", () => {
  it("Adam then L-BFGS lowers the loss; progress reports steps, loss, speed and ETA; evaluation measures the error", () => {
    const seen: pinn.TrainProgress[] = [];
    const res = pinn.train(pinn.problems.poisson1d, { ...tiny, collocationPoints: 64, adamSteps: 300, lbfgsSteps: 200, onProgress: (p) => { seen.push(p); } });
    try {
      expect(res.adamSteps).toBe(300);
      expect(res.lbfgsSteps).toBeGreaterThan(20);
      expect(res.history[0][1] / res.finalLoss).toBeGreaterThan(100);
      expect(seen.length).toBe(res.steps);
      expect(seen[0].phase).toBe("adam");
      expect(seen[seen.length - 1].phase).toBe("lbfgs");
      // the phase after Adam names its optimizer ("auto": SSBroyden for this small network), as the result does
      expect(res.optimizer).toBe("ssbroyden");
      expect(new Set(seen.map((p) => p.optimizer))).toEqual(new Set([res.optimizer]));
      expect(seen.at(-1)!.step).toBe(res.steps);
      expect(seen[150].stepsPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(seen[150].eta)).toBe(true);
      const ev = pinn.evaluate(res.network, pinn.problems.poisson1d);
      expect(ev.relL2).toBeLessThan(0.05);
      expect(ev.prediction.length).toBe(201);
    } finally { res.network.dispose(); }
  });

  it("stops when the callback returns false, and at the time limit", () => {
    let calls = 0;
    const a = pinn.train(pinn.problems.heat, { ...tiny, adamSteps: 1000, lbfgsSteps: 10, onProgress: () => ++calls < 5 });
    expect(a.stopReason).toBe("callback");
    expect(a.steps).toBe(5);
    a.network.dispose();
    const b = pinn.train(pinn.problems.heat, { ...tiny, adamSteps: 100_000, lbfgsSteps: 10, timeLimit: 0.3 });
    expect(b.stopReason).toBe("time-limit");
    expect(b.seconds).toBeLessThan(5);
    b.network.dispose();
    expect(() => pinn.train(pinn.problems.heat, { adamSteps: -1 })).toThrow(/adamSteps must be an integer/);
  });

  it("memory() stays flat over thousands of training steps, and train() leaves only its network", () => {
    const problem = pinn.problems.heat;
    const net = pinn.makeNetwork(problem, { network: { hidden: [6, 6] } });
    const data = pinn.trainingData(problem, { collocationPoints: 16, conditionPoints: 8 });
    const lossFn = pinn.pinnLoss(problem, net, data);
    const adam = new optim.Adam({ learningRate: 1e-3 });
    const vars = net.trainableWeights;
    let first = 0;
    for (let i = 0; i < 200; i++) first = adam.minimize(lossFn, vars); // warm-up: slots made, pools filled
    const m0 = memory();
    let last = first;
    for (let i = 0; i < 3000; i++) last = adam.minimize(lossFn, vars);
    const m1 = memory();
    expect(m1.tensors).toBe(m0.tensors);
    expect(m1.bytes).toBe(m0.bytes);
    expect(m1.tapes).toBe(0);
    expect(m1.wasmBytes).toBe(m0.wasmBytes);
    expect(last).toBeLessThan(first);
    adam.dispose(); data.dispose(); net.dispose();

    const before = memory();
    const res = pinn.train(problem, { ...tiny, adamSteps: 50, lbfgsSteps: 50 });
    res.network.dispose();
    const after = memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
    expect(after.programs, "train() releases the program it compiled").toBe(before.programs);
  });

  it("compiling the loss (jit, the default) changes no bit of the training: same losses, same weights", () => {
    const runs = [true, false].map((jit) => {
      const before = memory().programs;
      const res = pinn.train(pinn.problems.burgers, { ...tiny, adamSteps: 30, lbfgsSteps: 30, jit });
      const w = res.network.trainableWeights.map((v) => Array.from(v.data()));
      res.network.dispose();
      expect(memory().programs).toBe(before);
      return { history: res.history, w, steps: res.steps };
    });
    expect(runs[0].steps).toBeGreaterThan(40);
    expect(runs[0].history).toEqual(runs[1].history);
    expect(runs[0].w).toEqual(runs[1].w);
  });

  it("the exported network (scaling folded into the first layer) computes the same function on raw inputs", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [5, 5], seed: 4, scale: { lo: [-1, 0], hi: [1, 3] } });
    const raw = net.toSequential();
    tidy(() => {
      const X = tensor([[-1, 0], [0.3, 1.7], [1, 3], [0.9, 0.1]]);
      const a = net.apply(X).data(), b = raw.apply(X).data();
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    });
    raw.dispose(); net.dispose();
  });

  it("evaluate() of the exact solution itself gives a relative L2 error at float32 rounding", () => {
    const exact = (X: Tensor) => X.slice([0, 0], [-1, 1]).mul(Math.PI).sin().mul(X.slice([0, 1], [-1, 1]).mul(Math.PI).sin());
    const ev = pinn.evaluate(exact, pinn.problems.poisson2d);
    expect(ev.relL2).toBeLessThan(1e-6);
    expect(pinn.relativeL2([1, 2], [1, 2])).toBe(0);
    expect(() => pinn.relativeL2([1], [1, 2])).toThrow(ArgumentError);
  });
});
