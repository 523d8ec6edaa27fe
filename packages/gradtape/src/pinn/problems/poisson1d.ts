// Poisson's equation in one dimension: -u'' = pi^2 sin(pi x) on [-1, 1], u(-1) = u(1) = 0; exact sin(pi x).
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";

export function poisson1dExact(x: number): number { return Math.sin(Math.PI * x); }

export const poisson1d = defineProblem({
  name: "poisson1d",
  description: "-u'' = pi^2 sin(pi x) on [-1,1], u(±1) = 0",
  domain: { x: [-1, 1] },
  uses: ["u_xx"],
  residual: ({ u_xx, x }) => u_xx.neg().sub(x.mul(Math.PI).sin().mul(Math.PI * Math.PI)),
  conditions: [
    { name: "x=-1", on: { x: -1 }, value: 0 },
    { name: "x=1", on: { x: 1 }, value: 0 },
  ],
  exact: ({ x }) => poisson1dExact(x),
  grid: [["x", linspace(-1, 1, 201)]],
  defaults: {
    hidden: [20, 20, 20], activation: "tanh", collocationPoints: 200, conditionPoints: 2,
    sampler: "lhs", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 2000,
  },
});
