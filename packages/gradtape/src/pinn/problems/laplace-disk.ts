// Laplace's equation on the unit disk with a Robin condition on its circle:
//   u_xx + u_yy = 0 for x² + y² < 1,   u + du/dn = g on x² + y² = 1,
// with g taken from the exact harmonic solution u = e^x cos y (du/dn = x u_x + y u_y on the unit circle:
// g = e^x (cos y + x cos y - y sin y)). A Robin condition with a/b > 0 fixes the solution uniquely.
import { defineProblem } from "../problem.js";
import { linspace } from "../sampling.js";
import { disk } from "../geometry/index.js";

export function laplaceDiskExact(x: number, y: number): number { return Math.exp(x) * Math.cos(y); }

export const laplaceDisk = defineProblem({
  name: "laplace-disk",
  description: "u_xx + u_yy = 0 in the unit disk, u + du/dn = g on the circle; exact e^x cos y",
  domain: disk([0, 0], 1),
  uses: ["u_xx", "u_yy"],
  residual: ({ u_xx, u_yy }) => u_xx.add(u_yy),
  conditions: [{
    name: "robin", kind: "robin", on: "circle", a: 1, b: 1,
    value: ({ x, y }) => Math.exp(x) * (Math.cos(y) + x * Math.cos(y) - y * Math.sin(y)),
  }],
  exact: ({ x, y }) => laplaceDiskExact(x, y),
  grid: [["y", linspace(-1, 1, 101)], ["x", linspace(-1, 1, 101)]],
  defaults: {
    hidden: [20, 20, 20], activation: "tanh", collocationPoints: 1000, conditionPoints: 200,
    sampler: "lhs", adamSteps: 1000, learningRate: 1e-3, lbfgsSteps: 3000,
  },
});
