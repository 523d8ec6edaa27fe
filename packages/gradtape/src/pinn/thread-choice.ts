// How many kernel threads pinn.train uses (its `threads` option; default "auto"). Threads pay when the step's
// kernels are large enough to split (packages/core/assembly/kernels/parallel.ts splits elementwise work from 64k
// elements and matmuls from 1M multiply-adds) and a core is free to run the second half; otherwise a job costs the
// caller a hand-off and, on a busy core, a wait for a descheduled worker at every one of a step's ~90 kernels.
//
// "auto" is: 1 thread when the job is smaller than MIN_THREAD_WORK, else as many as the machine has spare cores
// (cpus - the other processes' load, rounded to the nearest integer, at least 1), at most AUTO_MAX_THREADS and the
// threads the core was started with (ready({ threads })). That is the choice at the start of a run; pinn.train then
// chooses again every few seconds from recent CPU use (thread-governor.ts).
//
// The other processes' load is the 1-minute load average (os.loadavg()[0]) minus this process's own share of it.
// Linux's figure is an exponential average (time constant 60 s) of the runnable tasks, this process's threads
// included; a process that trained a moment ago would otherwise see its own work as a busy core and fall back to
// one thread. Its own share is estimated the same way from its CPU time (process.cpuUsage(), all its threads):
// between two looks, own <- own e^(-dt/60) + rate (1 - e^(-dt/60)), with rate its CPU seconds per second over dt,
// from 0 at its start. Browsers: navigator.hardwareConcurrency cores and no load figure (0).
import { ArgumentError, describe } from "../errors.js";

/**
 * The work of one PINN step below which one thread is used: collocation points x the widest hidden layer (the
 * element count of the step's largest elementwise kernels; its matmuls scale with it).
 *
 * Below 32,768 nothing in a step is split at all: the core splits transcendental kernels (tanh and its derivative
 * terms) from 32k elements, other elementwise kernels from 64k and matmuls from 1M multiply-adds (kernels/parallel.ts,
 * each threshold measured per kernel on an idle 2-core VM as the size from which 2 threads are faster), so a second
 * thread there only costs its start. From it up, each split kernel is one that measured faster on 2 threads when a
 * core is free: Burgers' 10,000 x 20 step, 40 ms on one thread, takes 22-26 ms on two (README; overhead.mjs).
 * test/bench/threads-threshold.mjs measures the whole step over N_f; its runs in this session were all under load
 * 7-24 (other jobs on the 2 cores) and show the busy case instead, 2 threads at 0.57-0.88x of one from 5,000 to
 * 20,000 points under load 7-10 (the spare-core rule below handles that): an idle run should confirm this value.
 */
export const MIN_THREAD_WORK = 1 << 15;

/** Most threads "auto" uses: only 1 against 2 was measured (on 2 cores); more is an explicit `threads: n`. */
export const AUTO_MAX_THREADS = 2;

export interface MachineLoad {
  /** logical cores (os.availableParallelism(), navigator.hardwareConcurrency) */
  cpus: number;
  /** the other processes' load: the 1-minute load average less this process's estimated share; 0 where unknown */
  load: number;
  /** the 1-minute load average as the system gives it, and this process's estimated share of it */
  loadavg?: number;
  own?: number;
}

export interface ThreadChoice {
  threads: number;
  /** "given" (a number was asked for) or "auto" */
  mode: "given" | "auto";
  /** why, in one line: "auto: 2 cores, others' load 0.31 (...), work 200,000 >= 32,768; 2 spare cores" */
  reason: string;
  /** whether the count came from the machine's load (not from the job's size or the started threads), so that it may
   *  be chosen again during the run as the load changes (thread-governor.ts) */
  byLoad: boolean;
}

/** "auto"'s count for a job large enough to split: the spare cores, at most the started threads and AUTO_MAX_THREADS. */
export function autoThreads(machine: MachineLoad, started: number): number {
  return Math.min(spareCores(machine), started, AUTO_MAX_THREADS);
}

export type Proc = { getBuiltinModule?: (id: string) => unknown; cpuUsage?: () => { user: number; system: number }; uptime?: () => number };

/** The part of Node's os module read here (declared, not imported: the public types must not need @types/node). */
export interface HostOs {
  cpus(): { times: { user: number; nice: number; sys: number; idle: number; irq: number } }[];
  availableParallelism?(): number;
  loadavg(): number[];
}

/** Node's os module and process, or null outside Node (browsers): what machineLoad and thread-governor.ts read. */
export function nodeHost(): { os: HostOs; proc: Proc } | null {
  const proc = (globalThis as { process?: Proc }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== "function") return null;
  return { os: get.call(proc, "node:os") as HostOs, proc: proc! };
}

/** The cores the process may use (os.availableParallelism(), on older Node os.cpus().length). */
export function usableCores(os: HostOs): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}
/** This process's share of the load average (the update rule at the top), and when it was last updated. */
const ownShare = { value: 0, wall: NaN, cpu: 0 };

/** Advances this process's estimated share of the 1-minute load average to now (seconds of wall and CPU time). */
export function advanceOwnShare(share: { value: number; wall: number; cpu: number }, wall: number, cpu: number): number {
  const dt = wall - share.wall;
  if (dt > 0) {
    const decay = Math.exp(-dt / 60);
    const rate = Math.max(0, (cpu - share.cpu) / dt);
    share.value = share.value * decay + rate * (1 - decay);
  }
  share.wall = wall; share.cpu = cpu;
  return share.value;
}

/** The cores and the other processes' load on this machine (Node: os and process; browsers: hardwareConcurrency, load 0). */
export function machineLoad(): MachineLoad {
  const host = nodeHost();
  if (host) {
    const { os, proc } = host;
    const cpus = usableCores(os);
    const loadavg = os.loadavg()[0];
    let own = 0;
    if (typeof proc.cpuUsage === "function" && typeof proc.uptime === "function") {
      const u = proc.cpuUsage(), up = proc.uptime();
      // the first look starts from the process's start, when its share was 0
      if (Number.isNaN(ownShare.wall)) { ownShare.wall = Date.now() / 1000 - up; ownShare.cpu = 0; }
      own = advanceOwnShare(ownShare, Date.now() / 1000, (u.user + u.system) / 1e6);
    }
    return { cpus, load: Math.max(0, loadavg - own), loadavg, own };
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return { cpus: nav?.hardwareConcurrency ?? 1, load: 0 };
}

/** Spare cores: cpus - load, rounded to the nearest integer, between 1 and cpus. */
export function spareCores(m: MachineLoad): number {
  return Math.max(1, Math.min(m.cpus, Math.round(m.cpus - Math.max(0, m.load))));
}

/** The work measure of a step: collocation points x the widest hidden layer. */
export function stepWork(collocationPoints: number, hidden: readonly number[]): number {
  return collocationPoints * Math.max(1, ...hidden);
}

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * The thread count for a run: `requested` a number (used as given, at most `started`: more is an ArgumentError
 * saying to start the core with them), or "auto" (the rule at the top of this file).
 */
export function chooseThreads(requested: number | "auto" | undefined, work: number, started: number, machine: MachineLoad, op = "pinn.train"): ThreadChoice {
  if (requested !== undefined && requested !== "auto") {
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1) {
      throw new ArgumentError(`${op}: threads must be "auto" or an integer >= 1, but got ${describe(requested)}.`);
    }
    if (requested > started) {
      throw new ArgumentError(`${op}: threads ${requested} asked for, but the core was started with ${started} thread(s); ` +
        `call ready({ threads: ${requested} }) before anything else (or use threads: "auto").`);
    }
    return { threads: requested, mode: "given", reason: `given: ${requested}`, byLoad: false };
  }
  const own = machine.loadavg === undefined ? "" : ` (load average ${machine.loadavg.toFixed(2)}, this process ~${(machine.own ?? 0).toFixed(2)})`;
  const head = `auto: ${machine.cpus} core${machine.cpus === 1 ? "" : "s"}, others' load ${machine.load.toFixed(2)}${own}, work ${fmt(work)}`;
  if (started === 1) return { threads: 1, mode: "auto", reason: `${head}; the core was started with 1 thread (ready({ threads: 2 }) to allow more)`, byLoad: false };
  if (work < MIN_THREAD_WORK) return { threads: 1, mode: "auto", reason: `${head} < ${fmt(MIN_THREAD_WORK)}: too small to split`, byLoad: false };
  const spare = spareCores(machine);
  return { threads: autoThreads(machine, started), mode: "auto", reason: `${head} >= ${fmt(MIN_THREAD_WORK)}; ${spare} spare core${spare === 1 ? "" : "s"}`, byLoad: true };
}
