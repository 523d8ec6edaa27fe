// pinn.train's `threads` on a core started with 2 (ready({ threads: 2 })): the run uses the count asked for (or
// auto's), puts the core's count back afterwards, and gives the same bits whatever the count.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready({ threads: 2 }); });

describe("pinn.train threads on the threaded core", () => {
  it("threads 1 and 2 give the same bits; auto takes 1 for a small job; the core's count is restored", () => {
    expect(gt.startedThreads(), "this file needs the threaded core (SharedArrayBuffer and worker_threads)").toBe(2);
    // 4,000 points x 20: every elementwise kernel of the step is split at 2 threads (64k elements and up)
    const opts = { network: { hidden: [20, 20] }, collocationPoints: 4000, conditionPoints: 50, adamSteps: 5, lbfgsSteps: 5, seed: 1 };
    const seen: number[] = [];
    const runs = [1, 2].map((threads) => {
      const r = gt.pinn.train(gt.pinn.problems.burgers, { ...opts, threads, onProgress: () => { seen.push(gt.backendInfo().threads); } });
      const out = { threads: r.threads, loss: r.finalLoss, w: r.network.trainableWeights.map((v) => Array.from(v.data())), evals: r.evaluations };
      r.network.dispose();
      expect(gt.backendInfo().threads).toBe(2);
      return out;
    });
    expect(runs.map((r) => r.threads)).toEqual([1, 2]);
    expect(seen.slice(0, 10).every((t) => t === 1) && seen.slice(-10).every((t) => t === 2)).toBe(true);
    expect(Object.is(runs[0].loss, runs[1].loss)).toBe(true);
    expect(runs[1].w).toEqual(runs[0].w);
    expect(runs[1].evals).toBe(runs[0].evals);
    const small = gt.pinn.train(gt.pinn.problems.poisson1d, { network: { hidden: [8] }, collocationPoints: 32, adamSteps: 2, lbfgsSteps: 0 });
    expect(small.threads).toBe(1);
    expect(small.threadChoice).toMatch(/too small/);
    small.network.dispose();
    expect(gt.backendInfo().threads).toBe(2);
  });
});
