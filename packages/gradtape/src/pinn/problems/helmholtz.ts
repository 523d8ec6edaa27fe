// Helmholtz's equation in 2-D as in Wang, Teng & Perdikaris (2021), "Understanding and mitigating gradient
// pathologies in physics-informed neural networks", section 3.2:
//   u_xx + u_yy + k² u = q(x, y) on [-1, 1]²,  u = exact on the boundary,
// with the exact solution u = sin(a1 pi x) sin(a2 pi y), a1 = 1, a2 = 4, k = 1, so that
//   q = (k² - (a1² + a2²) pi²) sin(a1 pi x) sin(a2 pi y)   (= -166.8... u: a forcing 167 times the solution,
// which is what makes the residual term dominate the boundary term's gradients and a plain PINN stall at ~1e-1).
// Defaults: 4 hidden tanh layers of 50 with 4,000 collocation points, Adam then L-BFGS: the plain-PINN setup issue
// #16 states gradtape's 1.1e-1 baseline with (Wang et al. train a comparable tanh MLP with Adam only, on fresh
// batches of 128 points per step). Loss balancing by NTK weights (Wang, Yu & Perdikaris 2022; balancing.ts, ntk.ts)
// is the default: with it, Adam 2,000 + L-BFGS 1,000 reached 2.5e-3 (seed 0) and 4.4e-3 (seed 1) relative L2 where
// the same plan without it reached 2.3e-1 and 2.5e-1, and with RAD adaptive collocation (seed 0) 2.7e-1 (`gradtape
// pinn helmholtz --optimizer lbfgs --adam-steps 2000 --lbfgs-steps 1000 --seed N [--balancing none | --adaptive rad
// --adaptive-every 500]`, 39 min each, run side by side on 2 cores under load 15-23). The boundary term's weight
// settles near 4e3: the forcing is 167 u. The defaults now (NTK weights during Adam 2,000, then SSBroyden, "auto" for
// these 7,851 weights) reach 3.9e-5, 6.2e-5 and 3.3e-5 on seeds 0, 1, 2 (target 5e-3), after 112-130 s of CPU to the
// target and 247-290 s to the end (pinn-accuracy.mjs --only helmholtz --threads 1).
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";
import { rectangle } from "../geometry/index.js";

export const HELMHOLTZ = Object.freeze({ a1: 1, a2: 4, k: 1 });
const { a1, a2, k } = HELMHOLTZ;
/** q / u: the forcing is this multiple of the exact solution */
const Q = k * k - (a1 * a1 + a2 * a2) * Math.PI * Math.PI;

export function helmholtzExact(x: number, y: number): number { return Math.sin(a1 * Math.PI * x) * Math.sin(a2 * Math.PI * y); }
/** the forcing q(x, y) = u_xx + u_yy + k² u of the exact solution */
export function helmholtzForcing(x: number, y: number): number { return Q * helmholtzExact(x, y); }

export const helmholtz = defineProblem({
  name: "helmholtz",
  description: "u_xx + u_yy + u = q on [-1,1]^2, exact sin(pi x) sin(4 pi y), Dirichlet data from it (Wang, Teng & Perdikaris 2021)",
  domain: rectangle([-1, -1], [1, 1]),
  uses: ["u", "u_xx", "u_yy"],
  // q is evaluated on the collocation columns in float32: sin(pi x) sin(4 pi y) times the constant
  residual: ({ u, u_xx, u_yy, x, y }) => u_xx.add(u_yy).add(u.mul(k * k)).sub(x.mul(a1 * Math.PI).sin().mul(y.mul(a2 * Math.PI).sin()).mul(Q)),
  conditions: [{ name: "boundary", on: "boundary", value: ({ x, y }) => helmholtzExact(x, y) }],
  exact: ({ x, y }) => helmholtzExact(x, y),
  grid: [["y", linspace(-1, 1, 101)], ["x", linspace(-1, 1, 101)]],
  defaults: {
    hidden: [50, 50, 50, 50], activation: "tanh", collocationPoints: 4000, conditionPoints: 400,
    sampler: "lhs", adamSteps: 2000, learningRate: 1e-3, lbfgsSteps: 5000, balancing: "ntk",
  },
});
