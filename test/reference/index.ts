// The independent float64 reference for gradtape's tests. Never imports gradtape.
// Modules are re-exported as namespaces because they share op names (nd.max is a reduction,
// scalar.maximum / dual.maximum are element-wise).
export * as nd from "./ndarray.js";
export * as scalar from "./scalar.js";
export * as fd from "./finite-diff.js";
export * as dual from "./dual.js";
export type { NDArray, Nested, Shape } from "./ndarray.js";
export { Jet, type JetLike } from "./dual.js";
export { Rng, hashString } from "./rng.js";
export * from "./seed-network.js";
