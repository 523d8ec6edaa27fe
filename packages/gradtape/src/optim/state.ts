// What an optimizer's state is made of, for checkpoints: everything a later update reads, so that an optimizer
// restored with setState() continues bit-identically. Plain data (typed arrays, numbers): a checkpoint writer
// decides how to store it.

/** First-order optimizers (SGD, Adam, AdamW): the update count and, per variable, its step count and slots. */
export interface OptimizerState {
  kind: string;
  iterations: number;
  /** per variable, in the order given to getState(); null when it had no update yet */
  variables: ({ steps: number; slots: (Float32Array | Float64Array)[] } | null)[];
}

/** The checks L-BFGS makes after an iteration (stopping tests), kept so that a resumed call makes them. */
export interface LBFGSPending { fPrev: number; approx: boolean; smax: number }

/** A minimize() call of L-BFGS in progress, captured between two iterations (inside onIteration). */
export interface LBFGSRunState {
  /** iterations and loss evaluations done in this call */
  iterations: number;
  evaluations: number;
  /** the loss, its terms and gradient at the current iterate */
  f: number;
  terms: number[];
  g: Float64Array;
  /** the stopping tests of the last iteration, still to be made */
  pending: LBFGSPending | null;
}

export interface LBFGSState {
  kind: "LBFGS";
  /** iterations since construction or reset() */
  iterations: number;
  /** the float64 iterate (null before the first minimize()) */
  x: Float64Array | null;
  /** the (s, y) pairs, oldest first, and rho = 1 / y.s */
  s: Float64Array[];
  y: Float64Array[];
  rho: number[];
  /** the call in progress, when captured inside onIteration */
  run: LBFGSRunState | null;
}

/** The dense BFGS family (BFGS, SSBFGS, SSBroyden): the iterate, H packed and the call in progress. */
export interface BFGSState {
  kind: "BFGS";
  /** the update rule ("ssbfgs", "ssbroyden", "bfgs"): restored only into an optimizer with the same one */
  update: string;
  iterations: number;
  x: Float64Array | null;
  /** the inverse-Hessian approximation, upper triangle by rows (n (n + 1) / 2 values); null while it is the identity */
  H: Float64Array | null;
  /** pairs behind H (0: H is the identity), pairs applied and pairs skipped since the last reset */
  pairs: number;
  updates: number;
  skipped: number;
  run: LBFGSRunState | null;
}
