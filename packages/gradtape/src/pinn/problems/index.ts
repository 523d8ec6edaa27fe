// The built-in problems, by name (`gradtape pinn <name>`).
import type { Problem } from "../problem.js";
import { ArgumentError } from "../../errors.js";
import { burgers } from "./burgers.js";
import { heat } from "./heat.js";
import { poisson1d } from "./poisson1d.js";
import { poisson2d } from "./poisson2d.js";
import { poissonLshape } from "./poisson-lshape.js";
import { laplaceDisk } from "./laplace-disk.js";
import { advection } from "./advection.js";

export { burgers, heat, poisson1d, poisson2d, poissonLshape, laplaceDisk, advection };
export { burgersExact, burgersGrid, BURGERS_NU, type BurgersOptions } from "./burgers-exact.js";
export { heatExact, HEAT_K } from "./heat.js";
export { poisson1dExact } from "./poisson1d.js";
export { poisson2dExact } from "./poisson2d.js";
export { poissonLshapeReference, LSHAPE_VERTICES } from "./poisson-lshape.js";
export { laplaceDiskExact } from "./laplace-disk.js";
export { advectionExact } from "./advection.js";
export { solvePoissonFD, refinedReference, type FDGrid, type RefinedReference } from "./fd-poisson.js";

export const problems: Readonly<Record<string, Problem>> = Object.freeze({
  burgers, heat, poisson1d, poisson2d, "poisson-lshape": poissonLshape, "laplace-disk": laplaceDisk, advection,
});

export function getProblem(name: string): Problem {
  const p = Object.prototype.hasOwnProperty.call(problems, name) ? problems[name] : undefined;
  if (!p) throw new ArgumentError(`unknown problem ${JSON.stringify(name)}; the built-in problems are ${Object.keys(problems).join(", ")}.`);
  return p;
}
