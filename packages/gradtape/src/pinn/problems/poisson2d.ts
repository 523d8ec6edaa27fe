// Poisson's equation on the unit square: -(u_xx + u_yy) = 2 pi^2 sin(pi x) sin(pi y), u = 0 on the boundary;
// exact sin(pi x) sin(pi y).
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";

export function poisson2dExact(x: number, y: number): number { return Math.sin(Math.PI * x) * Math.sin(Math.PI * y); }

export const poisson2d = defineProblem({
  name: "poisson2d",
  description: "-(u_xx + u_yy) = 2 pi^2 sin(pi x) sin(pi y) on [0,1]^2, u = 0 on the boundary",
  domain: { x: [0, 1], y: [0, 1] },
  uses: ["u_xx", "u_yy"],
  residual: ({ u_xx, u_yy, x, y }) =>
    u_xx.add(u_yy).neg().sub(x.mul(Math.PI).sin().mul(y.mul(Math.PI).sin()).mul(2 * Math.PI * Math.PI)),
  conditions: [
    { name: "x=0", on: { x: 0 }, value: 0 },
    { name: "x=1", on: { x: 1 }, value: 0 },
    { name: "y=0", on: { y: 0 }, value: 0 },
    { name: "y=1", on: { y: 1 }, value: 0 },
  ],
  exact: ({ x, y }) => poisson2dExact(x, y),
  grid: [["y", linspace(0, 1, 101)], ["x", linspace(0, 1, 101)]],
  defaults: {
    hidden: [20, 20, 20, 20], activation: "tanh", collocationPoints: 2000, conditionPoints: 200,
    sampler: "lhs", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 6000, // converges (line search at the float32 floor) near 5,100 steps
  },
});
