// The time-to-target clock of the PINN benchmarks (pinn-accuracy.mjs): while pinn.train runs, the relative L2
// error on the problem's reference grid is evaluated every `evalEvery` steps from the progress callback (every step
// must be reported: progressInterval 0), and the training clock is pinn.train's elapsed time less the time those
// evaluations took (reported apart). The first evaluation at or below the target gives the time, steps and loss
// evaluations to target; the true crossing lies within the last `evalEvery` steps before it. With `targetTime`, the
// run is stopped (the callback returns false) once the training clock reaches it, after one last evaluation there.
// Evaluating changes no bit of the training (it only predicts on the grid, in its own tidy scope).
// Beside the wall clock, a CPU clock (this process's user + system time, less the evaluations'): on a one-thread
// run it is what the wall time would be on an idle machine, whatever the load (other processes take turns on the
// cores but do not add to this process's CPU time; cache sharing still costs a little), so a figure measured
// under load can be compared with an idle-machine goal. With more threads it adds the threads' times up.

/**
 * @param {object} o
 * @param {() => number} o.errorOf the current network's relative L2 error (e.g. pinn.evaluate(net, problem).relL2)
 * @param {number} o.target the error to reach
 * @param {number} [o.evalEvery] steps between evaluations (default 100)
 * @param {number} [o.targetTime] training-clock seconds after which to stop (default: none)
 * @param {number} [o.targetCpuTime] training CPU seconds after which to stop (default: none)
 * @param {(p: object) => void} [o.log] called with every progress report (for logging)
 * @param {() => number} [o.now] milliseconds (default performance.now)
 */
const processCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

export function targetClock({ errorOf, target, evalEvery = 100, targetTime, targetCpuTime, log, now = () => performance.now(), cpuNow = processCpuMs }) {
  if (!(Number.isInteger(evalEvery) && evalEvery >= 1)) throw new Error(`pinn-clock: evalEvery must be an integer >= 1, got ${evalEvery}`);
  if (!(target > 0)) throw new Error(`pinn-clock: target must be > 0, got ${target}`);
  let evalSeconds = 0, evalCount = 0, stoppedAtTargetTime = false, evalCpu = 0;
  let cpu0 = cpuNow();
  const cpuTrain = () => (cpuNow() - cpu0) / 1000 - evalCpu;
  /** [step, training seconds, loss evaluations, relative L2, loss, training CPU seconds] at every evaluation */
  const trace = [];
  let hit = null;
  const measure = (step, trainSeconds, evaluations, loss) => {
    const cpu = cpuTrain();
    const t0 = now(), c0 = cpuNow();
    const e = errorOf();
    evalSeconds += (now() - t0) / 1000;
    evalCpu += (cpuNow() - c0) / 1000;
    evalCount++;
    trace.push([step, trainSeconds, evaluations, e, loss, cpu]);
    if (hit === null && e <= target) hit = { seconds: trainSeconds, cpuSeconds: cpu, step, evaluations, relL2: e };
    return e;
  };
  return {
    /** marks the start of training for the CPU clock (call just before pinn.train; else the clock's creation is the start) */
    start() { cpu0 = cpuNow(); },
    /** pinn.train's onProgress (with progressInterval 0) */
    onProgress(p) {
      log?.(p);
      const train = p.elapsed - evalSeconds;
      const atTime = (targetTime !== undefined && train >= targetTime) || (targetCpuTime !== undefined && cpuTrain() >= targetCpuTime);
      if (p.step % evalEvery === 0 || atTime) measure(p.step, train, p.evaluations, p.loss);
      if (atTime) { stoppedAtTargetTime = true; return false; }
      return true;
    },
    /**
     * The summary after training, given pinn.train's result: the final error is evaluated once more (unless the
     * last step was just evaluated) and counted like the others.
     */
    finish(res) {
      const train = res.seconds - evalSeconds;
      const last = trace[trace.length - 1];
      const finalError = last && last[0] === res.steps ? last[3] : measure(res.steps, train, res.evaluations, res.finalLoss);
      return {
        target, evalEvery, targetTime: targetTime ?? null, targetCpuTime: targetCpuTime ?? null, stoppedAtTargetTime,
        timeToTarget: hit?.seconds ?? null, cpuTimeToTarget: hit?.cpuSeconds ?? null, trainCpuSeconds: cpuTrain(), stepsToTarget: hit?.step ?? null, evaluationsToTarget: hit?.evaluations ?? null,
        finalError, trainSeconds: train, evalSeconds, evalCount, trace,
      };
    },
  };
}
