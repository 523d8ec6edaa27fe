// Splitting large kernels across threads. In the threaded build (core-mt.wasm on a shared memory; see
// packages/core/threads.js) worker threads instantiate the same module without running its start function and
// serve runTask calls; the host's parallelFor hands out tasks 0..n-1 to the calling thread (from the front) and the
// workers (from the back), first come, first served, and returns when all are done: every kernel splits its rows or
// elements in order, so with two threads each thread keeps to one part of the data from job to job (pool.js). With
// one thread (the default build, or no workers) every task runs here in order.
//
// A job is a task function and its arguments. The task is passed as a function reference (the address of its
// static function object: the same in every instance of the module, since workers share the memory and the data
// segments put it there), so this file knows no kernel: each kernel file defines its own tasks beside its loops
// (unary.ts, binary.ts, fused.ts, matmul.ts) and reads its arguments through a class of named fields laid over the
// job's argument block (`changetype<UnaryJob>(args).n`, never a numbered slot).
//
// A task only reads its arguments and the memory they point to, and writes its own disjoint part of the output: no
// allocation, no globals, no static scratch, since a worker instance has none of the main instance's state. Each
// output element is computed by exactly the same operations as in the single-threaded kernels, so results are
// identical bit for bit whatever the thread count.

// (i32 rather than usize arguments: the generated bindings then pass the host's function through unwrapped)
// @ts-ignore: decorator
@external("env", "parallelFor") declare function hostParallelFor(task: i32, args: i32, n: i32): void;

/** Task t of a job whose arguments are at args. */
export type Task = (args: usize, t: i32) => void;

let threads: i32 = 1;
/** The number of threads sharing the work (set by the loader after it started the workers). */
export function setThreadCount(n: i32): void { threads = n < 1 ? 1 : n; }
export function threadCount(): i32 { return threads; }

// The argument block of the current job (one job at a time: kernels are not re-entrant); 64 bytes, read through
// each task's own @unmanaged class of named fields.
const ARGS = new StaticArray<i32>(16);
/** The argument block, as the job class J of a task (fill its fields, then call parallelFor). */
@inline export function jobArgs<J>(): J { return changetype<J>(changetype<usize>(ARGS)); }

/** Runs task 0..n-1 of `task` over the argument block: on the workers too when there are any. */
export function parallelFor(task: Task, n: i32): void {
  const args = changetype<usize>(ARGS);
  if (threads > 1 && n > 1) hostParallelFor(<i32>changetype<usize>(task), <i32>args, n);
  else for (let t = 0; t < n; t++) task(args, t);
}

/** Runs task t of a job (the entry point of worker threads too): `task` is the reference parallelFor passed. */
export function runTask(task: i32, args: usize, t: i32): void { changetype<Task>(<usize>task)(args, t); }

// Work below these sizes is not split. A job costs the caller a few microseconds when the workers are spinning
// (threads.js: no futex wake then), and tens when they sleep. Add and mul over [10000, 20] (200k floats) take
// 29 us on one thread and 17-20 us split in two (min of 600 calls, 2-core VM; 33 us before the spin rework), so
// memory-bound kernels split from 64k elements. Transcendental unary kernels (exp, log, tanh, sigmoid, sin, cos,
// softplus: 2-5 ns per element; an op's rule says `heavy`) pay off much earlier than add or mul.
export const MIN_ELEMENTS: i32 = 1 << 16;
export const MIN_TRANSCENDENTAL: i32 = 1 << 15;
export const MIN_MACS: f64 = <f64>(1 << 20);

// Tasks per thread in a job (taken first come, first served), so that a late thread finds work left. 8 was no
// faster on the PINN step (2 threads, 4 rounds alternated: 24.1-27.1 ms against 23.0-25.3 ms with 4).
export const PER_THREAD: i32 = 4;

/** Tasks for n elements: a few per thread (they are taken first come, first served), multiples of 16. */
export function elementChunk(n: i32): i32 {
  const c = (n + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  return max(8192, (c + 15) & ~15);
}
@inline export function tasks(n: i32, chunk: i32): i32 { return (n + chunk - 1) / chunk; }

/** Elements [lo, lo + len) of task t of an elementwise job over n elements in chunks of `chunk`. */
@inline export function chunkStart(t: i32, chunk: i32): i32 { return t * chunk; }
@inline export function chunkLength(t: i32, chunk: i32, n: i32): i32 { const lo = t * chunk; return min(n, lo + chunk) - lo; }
