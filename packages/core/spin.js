// Bounded spinning on the threaded core's control block (threads.js, worker.js).

/**
 * How long a thread spins before it sleeps in Atomics.wait, in ms. A training step posts a job every few hundred
 * microseconds, and waking a sleeping thread costs tens of microseconds (a futex wake, and on a VM an idle virtual
 * CPU to resume); the bound keeps an idle library from burning CPU (at most this long after its last job).
 */
export const SPIN_MS = 0.2;

// performance.now() costs ~0.4 us on the 2-core VM (2,250 calls per ms), so it is read once per 128 loads.
const LOADS = 128;

/** Spins until i32[i] >= target (returns true) or about `ms` have passed (false). */
export function spinUntilAtLeast(i32, i, target, ms) {
  const until = performance.now() + ms;
  for (;;) {
    for (let s = 0; s < LOADS; s++) if (Atomics.load(i32, i) >= target) return true;
    if (performance.now() > until) return false;
  }
}

/** Spins while i32[i] === value (returns true when it changed) for at most about `ms` (false). */
export function spinWhileEqual(i32, i, value, ms) {
  const until = performance.now() + ms;
  for (;;) {
    for (let s = 0; s < LOADS; s++) if (Atomics.load(i32, i) !== value) return true;
    if (performance.now() > until) return false;
  }
}
