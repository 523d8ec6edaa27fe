// pinn.train's thread choice (pinn/thread-choice.ts) on injected cores and loads, and the evaluation counts it
// reports: L-BFGS's against a loss function that counts its own calls, pinn.train's against its own parts.
import { describe, it, expect, beforeAll } from "vitest";
import * as os from "node:os";
import { ready, pinn, optim, variable, tensor, memory, backendInfo, startedThreads, useThreads, ArgumentError, type Variable } from "gradtape";

beforeAll(async () => { await ready(); });

const { chooseThreads, spareCores, stepWork, advanceOwnShare, machineLoad, MIN_THREAD_WORK } = pinn;
const big = MIN_THREAD_WORK * 5, small = MIN_THREAD_WORK - 1;

describe("thread choice", () => {
  it("auto: threads only for a job at or above the threshold, and only as many as cores are spare", () => {
    const idle2 = { cpus: 2, load: 0.1 };
    expect(chooseThreads("auto", big, 2, idle2).threads).toBe(2);
    expect(chooseThreads(undefined, big, 2, idle2).threads).toBe(2);
    expect(chooseThreads("auto", MIN_THREAD_WORK, 2, idle2).threads).toBe(2);
    expect(chooseThreads("auto", small, 2, idle2)).toMatchObject({ threads: 1, mode: "auto" });
    expect(chooseThreads("auto", small, 2, idle2).reason).toMatch(/too small/);
    // one core taken by another process: one thread; half a core taken rounds to both free
    expect(chooseThreads("auto", big, 2, { cpus: 2, load: 1.2 }).threads).toBe(1);
    expect(chooseThreads("auto", big, 2, { cpus: 2, load: 0.4 }).threads).toBe(2);
    expect(chooseThreads("auto", big, 2, { cpus: 2, load: 9 }).threads).toBe(1);
    expect(chooseThreads("auto", big, 2, { cpus: 1, load: 0 }).threads).toBe(1);
    // at most the started threads, and at most AUTO_MAX_THREADS on a large idle machine
    expect(chooseThreads("auto", big, 1, { cpus: 8, load: 0 }).threads).toBe(1);
    expect(chooseThreads("auto", big, 1, { cpus: 8, load: 0 }).reason).toMatch(/started with 1 thread/);
    expect(chooseThreads("auto", big, 8, { cpus: 8, load: 0 }).threads).toBe(pinn.AUTO_MAX_THREADS);
    expect(chooseThreads("auto", big, 2, { cpus: 2, load: 0.1, loadavg: 1.1, own: 1 }).reason).toMatch(/others' load 0\.10 \(load average 1\.10, this process ~1\.00\)/);
    // only a count that came from the load may be chosen again during the run (thread-governor.ts)
    expect(chooseThreads("auto", big, 2, idle2).byLoad).toBe(true);
    expect(chooseThreads("auto", big, 2, { cpus: 2, load: 1.2 }).byLoad).toBe(true);
    expect(chooseThreads("auto", small, 2, idle2).byLoad).toBe(false);
    expect(chooseThreads("auto", big, 1, { cpus: 8, load: 0 }).byLoad).toBe(false);
  });

  it("a given count is used as given, within the started threads; bad ones are ArgumentErrors", () => {
    expect(chooseThreads(1, big, 2, { cpus: 2, load: 0 })).toMatchObject({ threads: 1, mode: "given", byLoad: false });
    expect(chooseThreads(2, small, 2, { cpus: 2, load: 5 })).toMatchObject({ threads: 2, mode: "given" });
    expect(() => chooseThreads(2, big, 1, { cpus: 2, load: 0 })).toThrow(/started with 1 thread.*ready\(\{ threads: 2 \}\)/);
    for (const bad of [0, -1, 1.5, Number.NaN, "2", null]) expect(() => chooseThreads(bad as never, big, 2, { cpus: 2, load: 0 }), String(bad)).toThrow(ArgumentError);
  });

  it("spare cores, the work measure, and this process's share of the load average", () => {
    expect(spareCores({ cpus: 2, load: 0 })).toBe(2);
    expect(spareCores({ cpus: 2, load: 0.6 })).toBe(1);
    expect(spareCores({ cpus: 4, load: 1.4 })).toBe(3);
    expect(spareCores({ cpus: 2, load: 7 })).toBe(1);
    expect(stepWork(10_000, [20, 20, 20])).toBe(200_000);
    expect(stepWork(1000, [8, 50, 8])).toBe(50_000);
    // one CPU-second per second for a minute from 0: 1 - 1/e of it, like Linux's 1-minute average; then idle for a minute
    const share = { value: 0, wall: 0, cpu: 0 };
    expect(advanceOwnShare(share, 60, 60)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(advanceOwnShare(share, 120, 60)).toBeCloseTo((1 - Math.exp(-1)) * Math.exp(-1), 12);
    // two threads busy: a share of 2 in the limit
    expect(advanceOwnShare({ value: 0, wall: 0, cpu: 0 }, 6000, 12000)).toBeCloseTo(2, 6);
    const m = machineLoad();
    expect(m.cpus).toBe(os.availableParallelism());
    expect(m.loadavg).toBeGreaterThanOrEqual(0);
    expect(m.own).toBeGreaterThanOrEqual(0);
    expect(m.load).toBeCloseTo(Math.max(0, m.loadavg! - m.own!), 12);
  });

  it("pinn.train reports its choice; more threads than the core started is an ArgumentError that leaks nothing", () => {
    expect(startedThreads()).toBe(1);
    const tiny = { network: { hidden: [8, 8] }, collocationPoints: 32, conditionPoints: 2, adamSteps: 3, lbfgsSteps: 0 };
    const r = pinn.train(pinn.problems.poisson1d, tiny);
    expect(r.threads).toBe(1);
    expect(r.threadChoice).toMatch(/^auto: /);
    r.network.dispose();
    const before = memory();
    expect(() => pinn.train(pinn.problems.poisson1d, { ...tiny, threads: 2 })).toThrow(/threads 2 asked for, but the core was started with 1/);
    expect(() => pinn.train(pinn.problems.poisson1d, { ...tiny, threads: "two" as never })).toThrow(ArgumentError);
    expect(memory().numTensors).toBe(before.numTensors);
    expect(backendInfo().threads).toBe(1);
    expect(useThreads(5)).toBe(1); // clamped to the started count
    expect(backendInfo().threads).toBe(1);
  });
});

describe("evaluation counts", () => {
  it("L-BFGS: every evaluation but each call's first is a line search's, counted against the loss's own calls", () => {
    // a Rosenbrock valley: the line search needs more than one trial now and then
    const x = variable(tensor([-1.2, 1]));
    let calls = 0;
    const loss = () => { calls++; const a = x.index(0), b = x.index(1); return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100)); };
    const lb = new optim.LBFGS({ maxIterations: 60 });
    const seen: number[][] = [];
    lb.onIteration = (info) => { seen.push([info.evaluations, info.lineSearchEvaluations]); };
    let total = 0, ls = 0;
    for (let call = 0; call < 2; call++) {
      lb.minimize(loss, [x as Variable]);
      const res = lb.result!;
      total += res.evaluations; ls += res.lineSearchEvaluations;
      expect(res.lineSearchEvaluations).toBe(res.evaluations - 1);
      expect(res.lineSearchEvaluations).toBeGreaterThanOrEqual(res.iterations);
    }
    expect(total).toBe(calls);
    expect(ls).toBeGreaterThan(seen.length / 2);
    for (const [e, l] of seen) expect(l).toBe(e - 1);
    x.dispose();
  });

  it("pinn.train: evaluations = Adam steps + L-BFGS evaluations; line-search evaluations between the L-BFGS iterations and evaluations; progress agrees", () => {
    const seen: pinn.TrainProgress[] = [];
    const r = pinn.train(pinn.problems.heat, {
      network: { hidden: [8, 8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: 20, lbfgsSteps: 40,
      onProgress: (p) => { seen.push(p); },
    });
    try {
      expect(r.lbfgsSteps).toBeGreaterThan(0);
      expect(r.evaluations).toBe(r.adamSteps + r.lbfgsEvaluations);
      expect(r.lineSearchEvaluations).toBeLessThanOrEqual(r.lbfgsEvaluations);
      expect(r.lineSearchEvaluations).toBeGreaterThanOrEqual(r.lbfgsSteps);
      expect(r.lineSearchEvaluations).toBeLessThan(r.evaluations);
      // Adam: one evaluation per step, no line search
      seen.filter((p) => p.phase === "adam").forEach((p, i) => { expect(p.evaluations).toBe(i + 1); expect(p.lineSearchEvaluations).toBe(0); });
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i].evaluations).toBeGreaterThan(seen[i - 1].evaluations);
        expect(seen[i].lineSearchEvaluations).toBeGreaterThanOrEqual(seen[i - 1].lineSearchEvaluations);
      }
      for (const p of seen) { expect(p.lineSearchEvaluations).toBeLessThanOrEqual(p.evaluations); expect(p.threads).toBe(1); }
      const last = seen[seen.length - 1];
      expect(last.evaluations).toBeLessThanOrEqual(r.evaluations);
      expect(last.lineSearchEvaluations).toBeLessThanOrEqual(r.lineSearchEvaluations);
    } finally { r.network.dispose(); }
  });

  it("checkpoints carry the counts: written at the end, read back on resume (a resumed run adds to them)", () => {
    const setup = { network: { hidden: [8, 8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: 10, lbfgsSteps: 30 };
    const saved: Uint8Array[] = [];
    const full = pinn.train(pinn.problems.heat, { ...setup, checkpoint: { every: 9, onSave: (cp) => { saved.push(pinn.encodeCheckpoint(cp)); } } });
    const last = pinn.decodeCheckpoint(saved[saved.length - 1]);
    // a checkpoint holds the counts of the L-BFGS calls done, and the call in progress holds its own (lbfgs.run)
    const inCall = last.lbfgs?.run ? last.lbfgs.run.evaluations : 0;
    for (const b of saved) expect(pinn.decodeCheckpoint(b).progress.lineSearchEvaluations).toBeTypeOf("number");
    expect(last.progress.lineSearchEvaluations! + Math.max(0, inCall - 1)).toBe(full.lineSearchEvaluations);
    expect(last.progress.lbfgsEvaluations + inCall).toBe(full.lbfgsEvaluations);
    expect(full.lineSearchEvaluations).toBeGreaterThan(0);
    // a checkpoint inside the L-BFGS phase whose count is 7 higher: the resumed run's count is too
    const cp = pinn.decodeCheckpoint(saved[2]); // step 27
    expect(cp.progress.lbfgsSteps).toBeGreaterThan(0);
    cp.progress.lineSearchEvaluations = (cp.progress.lineSearchEvaluations ?? 0) + 7;
    const resumed = pinn.train(pinn.problems.heat, { ...setup, resume: cp });
    expect(resumed.lineSearchEvaluations).toBe(full.lineSearchEvaluations + 7);
    expect(resumed.evaluations).toBe(full.evaluations);
    full.network.dispose(); resumed.network.dispose();
  });
});
