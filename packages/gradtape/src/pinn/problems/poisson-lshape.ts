// Poisson's equation on an L-shaped domain, DeepXDE's example (examples/pinn_forward/Poisson_Lshape.py):
//   -(u_xx + u_yy) = 1 on Ω = [-1, 1]² minus the quadrant (0, 1] x (0, 1],  u = 0 on ∂Ω.
// No closed form (u ~ r^(2/3) sin(2θ/3) at the re-entrant corner). Reference: the 5-point finite-difference
// solution on 800 x 800 cells (fd-poisson.ts, about a second), sampled on the 101 x 101 evaluation grid, with its
// error estimated from the 200- and 400-cell solutions (Richardson; the observed order is near 4/3 because of the
// corner): about 1e-4 relative L2 (test/pinn-problems-geometry.test.ts checks the solver's O(h²) on a smooth
// solution, and the estimate).
// Default setup: DeepXDE's points (1,200 inside, 120 on the boundary, uniform); a smaller network than DeepXDE's
// 4 x 50 (4 x 30 tanh, so that a run takes a few minutes on a shared 2-core machine) and far fewer steps (Adam 1,000
// at 1e-3, then L-BFGS 7,000; DeepXDE trains Adam 50,000 steps, then L-BFGS). The re-entrant corner limits the
// accuracy: about half of the squared error lies within r < 0.25 of it (measured after 3,000 steps, seed 1).
import { defineProblem, type Reference } from "../problem.js";
import { linspace } from "../sampling.js";
import { polygon } from "../geometry/index.js";
import { refinedReference, type RefinedReference } from "./fd-poisson.js";

export const LSHAPE_VERTICES: readonly (readonly [number, number])[] = [[0, 0], [1, 0], [1, -1], [-1, -1], [-1, 1], [0, 1]];

let cached: RefinedReference | null = null;
/** The finite-difference reference on the 101 x 101 grid of [-1, 1]² (NaN-free: 0 in the missing quadrant), with its error estimate. */
export function poissonLshapeReference(): RefinedReference {
  cached ??= refinedReference({
    x0: -1, y0: -1,
    // unknowns: nodes strictly inside the square and not in the closed missing quadrant x >= 0, y >= 0
    interior: (i, j, n) => i > 0 && j > 0 && i < n && j < n && !(2 * i >= n && 2 * j >= n),
  }, 2, 200, 100, () => 1);
  return cached;
}

export const poissonLshape = defineProblem({
  name: "poisson-lshape",
  description: "-(u_xx + u_yy) = 1 on the L-shape [-1,1]^2 minus (0,1]^2, u = 0 on the boundary (DeepXDE's example; reference: finite differences on 800x800 cells)",
  domain: polygon(LSHAPE_VERTICES),
  uses: ["u_xx", "u_yy"],
  residual: ({ u_xx, u_yy }) => u_xx.add(u_yy).neg().sub(1),
  conditions: [{ name: "boundary", on: "boundary", value: 0 }],
  grid: [["y", linspace(-1, 1, 101)], ["x", linspace(-1, 1, 101)]],
  reference: (): Reference => {
    const ys = linspace(-1, 1, 101), xs = linspace(-1, 1, 101);
    return { axes: [["y", ys], ["x", xs]], u: poissonLshapeReference().u.slice() };
  },
  defaults: {
    hidden: [30, 30, 30, 30], activation: "tanh", collocationPoints: 1200, conditionPoints: 120,
    sampler: "uniform", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 7000,
  },
});
