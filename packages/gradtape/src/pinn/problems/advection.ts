// Linear advection with a periodic boundary: u_t + u_x = 0 on x in [0, 1) (periodic), t in [0, 1],
// u(0, x) = sin(2 pi x); exact u = sin(2 pi (x - t)) (one full period: the wave returns to its start at t = 1).
// The periodic condition matches u at x = 0 and x = 1 (values only: the equation is first order in x).
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";
import { interval, times } from "../geometry/index.js";

export function advectionExact(x: number, t: number): number { return Math.sin(2 * Math.PI * (x - t)); }

export const advection = defineProblem({
  name: "advection",
  description: "u_t + u_x = 0, x in [0,1] periodic, t in [0,1], u(0,x) = sin(2 pi x); exact sin(2 pi (x - t))",
  domain: times(interval(0, 1), [0, 1]),
  uses: ["u_t", "u_x"],
  residual: ({ u_t, u_x }) => u_t.add(u_x),
  conditions: [
    { name: "initial", kind: "initial", value: ({ x }) => Math.sin(2 * Math.PI * x) },
    { name: "periodic", kind: "periodic", variable: "x" },
  ],
  exact: ({ x, t }) => advectionExact(x, t),
  grid: [["t", linspace(0, 1, 101)], ["x", linspace(0, 1, 101)]],
  defaults: {
    hidden: [20, 20, 20, 20], activation: "tanh", collocationPoints: 2000, conditionPoints: 200,
    sampler: "lhs", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 3000,
  },
});
