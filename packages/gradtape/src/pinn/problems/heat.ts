// The heat equation u_t = 0.4 u_xx on [0, 1] x [0, 1], u(0, x) = sin(pi x), u(t, 0) = u(t, 1) = 0;
// exact solution exp(-0.4 pi^2 t) sin(pi x).
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";

export const HEAT_K = 0.4;

export function heatExact(x: number, t: number): number { return Math.exp(-HEAT_K * Math.PI * Math.PI * t) * Math.sin(Math.PI * x); }

export const heat = defineProblem({
  name: "heat",
  description: "u_t = 0.4 u_xx on [0,1] x [0,1], u(0,x) = sin(pi x), u(t,0) = u(t,1) = 0",
  domain: { x: [0, 1], t: [0, 1] },
  uses: ["u_t", "u_xx"],
  residual: ({ u_t, u_xx }) => u_t.sub(u_xx.mul(HEAT_K)),
  conditions: [
    { name: "initial", on: { t: 0 }, value: ({ x }) => Math.sin(Math.PI * x) },
    { name: "x=0", on: { x: 0 }, value: 0 },
    { name: "x=1", on: { x: 1 }, value: 0 },
  ],
  exact: ({ x, t }) => heatExact(x, t),
  grid: [["t", linspace(0, 1, 101)], ["x", linspace(0, 1, 101)]],
  defaults: {
    hidden: [20, 20, 20, 20], activation: "tanh", collocationPoints: 2000, conditionPoints: 200,
    sampler: "lhs", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 3000,
  },
});
