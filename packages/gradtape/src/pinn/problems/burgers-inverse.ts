// The inverse Burgers problem of Raissi, Perdikaris & Karniadakis (2019), section 4.1.1: from 2,000 values of the
// exact solution u of  u_t + lambda1 u u_x - lambda2 u_xx = 0  (x in [-1, 1], t in [0, 1]), drawn at random from
// the 256 x 100 reference grid, recover lambda1 = 1 and lambda2 = 0.01/pi together with u. No initial or boundary
// condition is given: the loss is the data misfit plus the residual. Two variants: clean data, and data with 1%
// Gaussian noise (noise of standard deviation 0.01 * sd(u) added, their convention). Which points are drawn and the
// noise follow the training seed.
//
// Setup: 8 hidden tanh layers of 20 (theirs), N_u = 2,000 observations (theirs), N_f = 2,000 collocation points by
// Latin hypercube over the domain (they use the observation points themselves as collocation points; a separate
// draw of the same size keeps the residual's points independent of the data's), Adam then L-BFGS (they use L-BFGS
// alone). Reference for u: the exact Cole-Hopf solution on their grid (burgers-exact.ts), as for `burgers`.
// Raissi et al. report: clean, lambda1 error 0.0%, lambda2 0.023%; 1% noise, 0.094% and 0.77%.
import { defineProblem, gridPoints, type Problem } from "../problem.js";
import { linspace } from "../sampling.js";
import { drawObservations } from "../observations.js";
import { burgersExact, burgersGrid, BURGERS_NU } from "./burgers-exact.js";

export const BURGERS_INVERSE_PARAMS = Object.freeze({ lambda1: 1, lambda2: BURGERS_NU });

const XS = linspace(-1, 1, 256), TS = linspace(0, 0.99, 100);
const POINTS = gridPoints(["x", "t"], [["t", TS], ["x", XS]]);
let exact: Float64Array | null = null;
/** the exact solution on the whole 256 x 100 grid (for evaluation; computed once, a few seconds) */
function exactGrid(): Float64Array { exact ??= burgersGrid(XS, TS); return exact; }
/** the exact solution at grid row r (only the rows drawn as observations are evaluated) */
const exactAt = (r: number) => (exact ? exact[r] : burgersExact(POINTS[2 * r], POINTS[2 * r + 1]).u);

function burgersInverse(name: string, noise: number): Problem {
  return defineProblem({
    name,
    description: `identify lambda1, lambda2 in u_t + lambda1 u u_x - lambda2 u_xx = 0 from 2,000 ${noise > 0 ? `noisy (${noise * 100}%)` : "clean"} values of u (Raissi et al. 2019)`,
    domain: { x: [-1, 1], t: [0, 1] },
    uses: ["u", "u_t", "u_x", "u_xx"],
    // lambda2 > 0 is trained as its logarithm, from exp(-6), as in Raissi et al.'s code (params.ts says why)
    params: { lambda1: 0, lambda2: { initial: Math.exp(-6), positive: true } },
    exactParams: BURGERS_INVERSE_PARAMS,
    residual: ({ u, u_t, u_x, u_xx, lambda1, lambda2 }) => u_t.add(lambda1.mul(u.mul(u_x))).sub(lambda2.mul(u_xx)),
    conditions: [],
    // per seed: which 2,000 grid points, and the noise (a seed apart from the collocation points' seed)
    observations: (seed) => drawObservations(POINTS, exactAt, 2, 2000, noise, 104_729 + seed),
    grid: [["t", TS], ["x", XS]],
    reference: () => ({ axes: [["t", TS.slice()], ["x", XS.slice()]], u: exactGrid().slice() }),
    defaults: {
      hidden: [20, 20, 20, 20, 20, 20, 20, 20], activation: "tanh", collocationPoints: 2000, conditionPoints: 0,
      sampler: "lhs", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 5000,
    },
  });
}

export const burgersInverse1 = burgersInverse("burgers-inverse", 0);
export const burgersInverseNoisy = burgersInverse("burgers-inverse-noisy", 0.01);
