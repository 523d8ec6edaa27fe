// "auto" threads during a run (pinn.train): the choice at the start (thread-choice.ts) reads the 1-minute load
// average, which trails by about a minute. A second run started right after a first one sees the first one's load as
// another process's (on 2 cores: others' load 0.6-0.9 a few seconds after a 60-second run ended, so one thread), and
// a run started beside a job that ends a moment later keeps one thread for its whole length. Results do not depend
// on the thread count (the core's kernels give the same bits with any), so the count can change between steps:
// every REVIEW_SECONDS of training the governor measures the other processes' CPU use over that interval and
// chooses again with the same rule (thread-choice.ts autoThreads: spare cores = cores - others' use, rounded; at most
// the started threads and AUTO_MAX_THREADS), for a run whose first count came from the load (ThreadChoice.byLoad).
//
// Others' use over an interval = the busy share of all cores' time (os.cpus(): user + nice + sys + irq against the
// total, summed over the cores) times the cores, less this process's own CPU time per second (process.cpuUsage(),
// all its threads). Where that cannot be measured (browsers; containers whose os.cpus() lists more cores than they
// may use) the choice made at the start stands.
import { autoThreads, nodeHost, usableCores } from "./thread-choice.js";

/** Seconds of training between two looks: long enough that a momentary burst (another process's start-up, a GC) does
 *  not flip the count, short enough that a 60-second run is on both cores after its first few seconds. */
export const REVIEW_SECONDS = 5;

/** One look at the machine: seconds of wall time, of all cores' busy and total time, and of this process's CPU. */
export interface CpuSample { wall: number; busy: number; total: number; own: number }

/** A look at the machine now, or null where it cannot be measured (see the top of this file). */
export function cpuSample(): CpuSample | null {
  const host = nodeHost();
  if (!host || typeof host.proc.cpuUsage !== "function") return null;
  const cpus = host.os.cpus();
  if (cpus.length === 0 || cpus.length !== usableCores(host.os)) return null;
  let busy = 0, total = 0;
  for (const c of cpus) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  const u = host.proc.cpuUsage();
  return { wall: performance.now() / 1000, busy: busy / 1000, total: total / 1000, own: (u.user + u.system) / 1e6 };
}

/** The other processes' CPU use (in cores) between two looks a and b on a machine of `cpus` cores; null if b is no later. */
export function othersUse(a: CpuSample, b: CpuSample, cpus: number): number | null {
  const dt = b.wall - a.wall, dtotal = b.total - a.total;
  if (!(dt > 0) || !(dtotal > 0)) return null;
  const busyCores = cpus * (b.busy - a.busy) / dtotal;
  return Math.max(0, busyCores - Math.max(0, b.own - a.own) / dt);
}

/** A change of the thread count during a run: at which training step, to how many, and the use that decided it. */
export interface ThreadSwitch { step: number; threads: number; others: number }

/**
 * Re-chooses "auto"'s thread count during a run: `review(step)` after each step returns the new count when it
 * changes (the caller applies it with useThreads), else null. `sample` and `cpus` are injectable (tests).
 */
export class ThreadGovernor {
  /** the first 100 changes of the count */
  readonly switches: ThreadSwitch[] = [];
  /** how many changes there were in all */
  changes = 0;
  #last: CpuSample | null;
  #threads: number;

  /** sample: a look at the machine; clock: seconds, the same clock as the samples' wall (read at every step, where
   *  a sample, os.cpus(), costs tens of microseconds and is taken only every `every` seconds) */
  constructor(threads: number, private readonly started: number, private readonly cpus: number,
              private readonly sample: () => CpuSample | null = cpuSample, private readonly every = REVIEW_SECONDS,
              private readonly clock: () => number = () => performance.now() / 1000) {
    this.#threads = threads;
    this.#last = sample();
  }

  get threads(): number { return this.#threads; }

  review(step: number): number | null {
    if (this.#last === null || this.clock() - this.#last.wall < this.every) return null;
    const now = this.sample();
    if (now === null || now.wall - this.#last.wall < this.every) return null;
    const others = othersUse(this.#last, now, this.cpus);
    this.#last = now;
    if (others === null) return null;
    const n = autoThreads({ cpus: this.cpus, load: others }, this.started);
    if (n === this.#threads) return null;
    this.#threads = n;
    this.changes++;
    if (this.switches.length < 100) this.switches.push({ step, threads: n, others });
    return n;
  }

  /** The switches in one line, for the run's threadChoice ("" when there were none). */
  describe(): string {
    if (this.switches.length === 0) return "";
    const s = this.switches.slice(0, 5).map((w) => `${w.threads} from step ${w.step} (others' CPU use ${w.others.toFixed(2)})`);
    return `; then ${s.join(", ")}${this.changes > 5 ? `, and ${this.changes - 5} more changes` : ""}`;
  }
}
