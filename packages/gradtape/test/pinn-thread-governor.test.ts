// "auto" threads re-chosen during a run (pinn/thread-governor.ts) on injected CPU samples, and the real sample on this
// machine. A switch between steps cannot change a run's results: every step gives the same bits on 1 and on 2
// threads (test/integration/pinn-threads.test.ts, and the core's per-kernel thread tests), so any sequence of
// counts gives the same trajectory; what is tested here is when the count changes and to what.
import { describe, it, expect } from "vitest";
import * as os from "node:os";
import { pinn } from "gradtape";

const { ThreadGovernor, othersUse, cpuSample, REVIEW_SECONDS, AUTO_MAX_THREADS } = pinn;
type Sample = pinn.CpuSample;

/**
 * A machine of `cpus` cores (2 unless given) whose clock advances by each entry's dt at every training step (clock()), with `others` cores
 * busy beside this process's `own` over that time; sample() looks at it.
 */
function machine(steps: { dt: number; others: number; own: number }[], cpus = 2) {
  let s: Sample = { wall: 0, busy: 0, total: 0, own: 0 };
  let k = 0;
  return {
    sample: (): Sample => s,
    clock: (): number => {
      const st = steps[Math.min(k++, steps.length - 1)];
      s = { wall: s.wall + st.dt, busy: s.busy + (st.others + st.own) * st.dt, total: s.total + cpus * st.dt, own: s.own + st.own * st.dt };
      return s.wall;
    },
  };
}
const governor = (threads: number, started: number, cpus: number, m: ReturnType<typeof machine>) =>
  new ThreadGovernor(threads, started, cpus, m.sample, REVIEW_SECONDS, m.clock);

describe("thread governor", () => {
  it("others' use is the busy cores less this process's CPU per second", () => {
    const a = { wall: 10, busy: 4, total: 20, own: 1 };
    // 5 s on 2 cores: 10 core-seconds, 6 of them busy (1.2 cores), 3 of them this process's (0.6 cores)
    expect(othersUse(a, { wall: 15, busy: 10, total: 30, own: 4 }, 2)).toBeCloseTo(0.6, 12);
    // this process alone: nothing else
    expect(othersUse(a, { wall: 15, busy: 9, total: 30, own: 6 }, 2)).toBeCloseTo(0, 12);
    // more own time than busy time (clock skew between the two counters) is never negative use
    expect(othersUse(a, { wall: 15, busy: 5, total: 30, own: 6 }, 2)).toBe(0);
    // no time passed: nothing to say
    expect(othersUse(a, a, 2)).toBeNull();
  });

  it("one thread while another process holds a core, two once it ends, back to one when it returns", () => {
    const sample = machine([
      { dt: 1, others: 1, own: 1 }, { dt: 1, others: 1, own: 1 }, { dt: 1, others: 1, own: 1 }, { dt: 1, others: 1, own: 1 }, { dt: 1, others: 1, own: 1 },
      { dt: 5, others: 0.05, own: 1 },   // the other process ended
      { dt: 5, others: 0, own: 2 },      // on both cores
      { dt: 5, others: 0.9, own: 1.1 },  // another process is back
    ]);
    const g = governor(1, 2, 2, sample);
    // looks less than REVIEW_SECONDS apart decide nothing
    for (let step = 1; step <= 4; step++) expect(g.review(step), `step ${step}`).toBeNull();
    expect(g.review(5)).toBeNull();           // 5 s with a core busy: still one
    expect(g.review(6)).toBe(2);              // the core came free
    expect(g.threads).toBe(2);
    expect(g.review(7)).toBeNull();           // its own two threads are not someone else's load
    expect(g.review(8)).toBe(1);
    expect(g.switches.map((s) => [s.step, s.threads])).toEqual([[6, 2], [8, 1]]);
    expect(g.switches[0].others).toBeCloseTo(0.05, 12);
    expect(g.describe()).toMatch(/^; then 2 from step 6 \(others' CPU use 0\.05\), 1 from step 8 \(others' CPU use 0\.90\)$/);
  });

  it("never more than the core's started threads or AUTO_MAX_THREADS; nothing changes where the machine cannot be measured", () => {
    const started1 = governor(1, 1, 2, machine([{ dt: 10, others: 0, own: 1 }]));
    for (let step = 1; step < 5; step++) expect(started1.review(step)).toBeNull();
    const big = governor(1, 16, 16, machine([{ dt: 10, others: 0, own: 1 }], 16));
    big.review(1);
    expect(big.threads).toBe(AUTO_MAX_THREADS);
    const blind = new ThreadGovernor(1, 2, 2, () => null, REVIEW_SECONDS, () => 1e9);
    for (let step = 1; step < 5; step++) expect(blind.review(step)).toBeNull();
    expect(blind.describe()).toBe("");
  });

  it("a run's switches are kept (the first 100) and described (the first 5, then a count)", () => {
    // another process that holds 1.5 cores for one REVIEW_SECONDS interval and nothing the next, 130 times
    const samples: Sample[] = [];
    let s: Sample = { wall: 0, busy: 0, total: 0, own: 0 };
    for (let k = 0; k < 130; k++) {
      samples.push(s);
      const others = k % 2 === 0 ? 0 : 1.5;
      s = { wall: s.wall + REVIEW_SECONDS, busy: s.busy + (others + 0.5) * REVIEW_SECONDS, total: s.total + 2 * REVIEW_SECONDS, own: s.own + 0.5 * REVIEW_SECONDS };
    }
    let i = 0;
    const g = new ThreadGovernor(1, 2, 2, () => samples[i++] ?? null, REVIEW_SECONDS, () => samples[i]?.wall ?? Infinity);
    let changes = 0;
    for (let step = 1; step < 130; step++) if (g.review(step) !== null) changes++;
    expect(changes).toBeGreaterThan(100);
    expect(g.switches.length).toBe(100);
    expect(g.describe()).toMatch(new RegExp(`, and ${changes - 5} more changes$`));
  });

  it("the sample on this machine: cores' busy time within their total, this process's time counted", () => {
    const a = cpuSample();
    const cpus = os.cpus().length, usable = typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus;
    if (a === null) { expect(cpus === usable).toBe(false); return; } // (a container's cpuset: no whole-machine figure)
    let x = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 60) x += Math.sqrt(x + 1);   // 60 ms of this process's CPU
    const b = cpuSample()!;
    expect(x).toBeGreaterThan(0);
    expect(b.wall - a.wall).toBeGreaterThanOrEqual(0.05);
    expect(b.busy - a.busy).toBeGreaterThanOrEqual(0);
    expect(b.busy - a.busy).toBeLessThanOrEqual(b.total - a.total + 1e-9);
    expect(b.own - a.own).toBeGreaterThan(0.02);
  });
});
