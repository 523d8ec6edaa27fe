// Burgers' equation as in Raissi, Perdikaris & Karniadakis (2019), section 3.1:
//   u_t + u u_x - (0.01/pi) u_xx = 0,  x in [-1, 1], t in [0, 1],  u(0, x) = -sin(pi x),  u(t, -1) = u(t, 1) = 0,
// 8 hidden tanh layers of 20, N_u = 100 initial/boundary points, N_f = 10,000 collocation points (Latin
// hypercube), L-BFGS. Reference: the exact Cole-Hopf solution (burgers-exact.ts) on their grid, x = linspace(-1, 1,
// 256), t = linspace(0, 0.99, 100).
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";
import { burgersGrid, BURGERS_NU } from "./burgers-exact.js";

export const burgers = defineProblem({
  name: "burgers",
  description: "u_t + u u_x - (0.01/pi) u_xx = 0 on [-1,1] x [0,1], u(0,x) = -sin(pi x), u(t,±1) = 0 (Raissi et al. 2019)",
  domain: { x: [-1, 1], t: [0, 1] },
  uses: ["u", "u_t", "u_x", "u_xx"],
  residual: ({ u, u_t, u_x, u_xx }) => u_t.add(u.mul(u_x)).sub(u_xx.mul(BURGERS_NU)),
  conditions: [
    { name: "initial", on: { t: 0 }, value: ({ x }) => -Math.sin(Math.PI * x) },
    { name: "x=-1", on: { x: -1 }, value: 0 },
    { name: "x=1", on: { x: 1 }, value: 0 },
  ],
  grid: [["t", linspace(0, 0.99, 100)], ["x", linspace(-1, 1, 256)]],
  reference: () => {
    const ts = linspace(0, 0.99, 100), xs = linspace(-1, 1, 256);
    return { axes: [["t", ts], ["x", xs]], u: burgersGrid(xs, ts) };
  },
  // Adam 500, then the quasi-Newton phase (SSBroyden by "auto"): with 1,000 Adam steps instead, Raissi's 6.7e-4 took
  // 69-76 s of CPU on one thread (seeds 0-2) and the runs ended at 1.3e-4, 1.2e-4, 4.5e-5; with 500, 54-57 s and
  // 2.8e-5, 1.4e-4, 2.4e-5 (node test/bench/pinn-accuracy.mjs --only burgers --threads 1 --eval-every 25
  // --adam-steps N --target-cpu-time 200; SSBroyden with initialStep "last-decrease")
  defaults: {
    hidden: [20, 20, 20, 20, 20, 20, 20, 20], activation: "tanh", collocationPoints: 10_000, conditionPoints: 100,
    sampler: "lhs", adamSteps: 500, learningRate: 1e-3, lbfgsSteps: 10_000,
  },
});
