// The options of L-BFGS, what it reports after each iteration, and why it stops (lbfgs.ts).

/** Why minimize() stopped. */
export type LBFGSStopReason =
  | "gradient"           // max |g| <= gradientTolerance
  | "loss-change"        // |f_k - f_{k+1}| <= lossTolerance * max(|f_k|, |f_{k+1}|)
  | "step"               // max |x_{k+1} - x_k| <= stepTolerance
  | "max-iterations"
  | "max-evaluations"
  | "line-search-failed" // no decrease along the direction, even along -g
  | "callback"           // onIteration returned false
  | "non-finite";        // the loss or the gradient at the starting point is NaN or infinite

export interface LBFGSIteration {
  /** iterations done in this minimize() call (1 after the first) */
  iteration: number;
  /** the loss after this iteration */
  loss: number;
  /** the values of the loss's terms after this iteration (when lossFn returns { loss, terms }) */
  terms: number[];
  /** max |gradient| after this iteration */
  gradientNorm: number;
  /** the step length the line search accepted (along the quasi-Newton direction) */
  step: number;
  /** loss evaluations in this minimize() call so far */
  evaluations: number;
  /** of them, those made by line searches (every trial point, the accepted ones included): all but the call's first */
  lineSearchEvaluations: number;
}

export interface LBFGSResult {
  loss: number;
  iterations: number;
  evaluations: number;
  /**
   * of them, those made by line searches: every trial point, the accepted one of each iteration included (all
   * but the evaluation at the starting point); lineSearchEvaluations - iterations is what the searches cost beyond
   * one evaluation per iteration
   */
  lineSearchEvaluations: number;
  gradientNorm: number;
  reason: LBFGSStopReason;
  /** true when stopped by a tolerance (gradient, loss-change, step) */
  converged: boolean;
}

export interface LBFGSOptions {
  /** scales the first trial step of every line search (default 1; the step of the first iteration is also capped by 1/sum|g|) */
  learningRate?: number;
  /** number of (s, y) pairs kept (default 50) */
  historySize?: number;
  /** iterations per minimize() call (default 100) */
  maxIterations?: number;
  /** loss evaluations per minimize() call, line searches included (default 1.25 * maxIterations, rounded up) */
  maxEvaluations?: number;
  /** stop when max |gradient| <= this (default 1e-7) */
  gradientTolerance?: number;
  /** stop when the relative loss change |f_k - f_{k+1}| / max(|f_k|, |f_{k+1}|) <= this (default 1e-9) */
  lossTolerance?: number;
  /** stop when max |x_{k+1} - x_k| <= this (default 1e-9) */
  stepTolerance?: number;
  /** "strongWolfe" (default) or "none" (a fixed step of learningRate along the direction) */
  lineSearch?: "strongWolfe" | "none";
  /** sufficient-decrease constant of the Wolfe conditions (default 1e-4) */
  c1?: number;
  /** curvature constant of the strong Wolfe conditions (default 0.9) */
  c2?: number;
  /** loss evaluations per line search (default 25) */
  maxLineSearch?: number;
  /**
   * relative rounding noise of the loss: within it, a step that satisfies the approximate Wolfe conditions is
   * accepted even without a measurable decrease (default 1e-6, a float32 loss summed in float64; 0 disables)
   */
  lossNoise?: number;
  /**
   * the first trial step of each line search: "unit" (t = 1, the default) or "last-decrease" (the step that would
   * repeat the last decrease on a quadratic, at most 1; pinn.train's dense second phase): InitialStep in quasi-newton.ts
   */
  initialStep?: "unit" | "last-decrease";
  /** called after every iteration; return false to stop */
  onIteration?: (info: LBFGSIteration) => void | boolean;
}

