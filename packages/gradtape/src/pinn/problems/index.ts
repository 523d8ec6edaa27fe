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
import { helmholtz } from "./helmholtz.js";
import { wave } from "./wave.js";
import { kovasznay } from "./kovasznay.js";
import { allenCahn } from "./allen-cahn.js";
import { burgersInverse1, burgersInverseNoisy, BURGERS_INVERSE_PARAMS } from "./burgers-inverse.js";

export { burgers, heat, poisson1d, poisson2d, poissonLshape, laplaceDisk, advection, helmholtz, wave, kovasznay, allenCahn, burgersInverse1 as burgersInverse, burgersInverseNoisy, BURGERS_INVERSE_PARAMS };
export { burgersExact, burgersGrid, BURGERS_NU, type BurgersOptions } from "./burgers-exact.js";
export { heatExact, HEAT_K } from "./heat.js";
export { poisson1dExact } from "./poisson1d.js";
export { poisson2dExact } from "./poisson2d.js";
export { poissonLshapeReference, LSHAPE_VERTICES } from "./poisson-lshape.js";
export { laplaceDiskExact } from "./laplace-disk.js";
export { advectionExact } from "./advection.js";
export { helmholtzExact, helmholtzForcing, HELMHOLTZ } from "./helmholtz.js";
export { waveExact, WAVE_C } from "./wave.js";
export { kovasznayExact, kovasznayErrors, KOVASZNAY_RE, KOVASZNAY_LAMBDA } from "./kovasznay.js";
export { allenCahnSpectral, allenCahnGrid, allenCahnConvergence, etdrk4Coefficients, ALLEN_CAHN_EPS, type AllenCahnOptions } from "./allen-cahn-spectral.js";
export { solvePoissonFD, refinedReference, type FDGrid, type RefinedReference } from "./fd-poisson.js";

export const problems: Readonly<Record<string, Problem>> = Object.freeze({
  burgers, heat, poisson1d, poisson2d, "poisson-lshape": poissonLshape, "laplace-disk": laplaceDisk, advection,
  "burgers-inverse": burgersInverse1, "burgers-inverse-noisy": burgersInverseNoisy,
  helmholtz, wave, kovasznay, "allen-cahn": allenCahn,
});

export function getProblem(name: string): Problem {
  const p = Object.prototype.hasOwnProperty.call(problems, name) ? problems[name] : undefined;
  if (!p) throw new ArgumentError(`unknown problem ${JSON.stringify(name)}; the built-in problems are ${Object.keys(problems).join(", ")}.`);
  return p;
}
