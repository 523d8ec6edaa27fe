// gradtape's adapter with the variants the native-peers table compares (nested tapes, jit, and the TF-style code
// eager and under jit); the forward-mode jet variants stay in `pnpm bench`, where they are compared in detail.
export * from "../../gradtape.mjs";
import { variants as all } from "../../gradtape.mjs";

const keep = (list) => list.filter((v) => ["nested-tapes", "jit", "tf-style", "tf-style-jit"].includes(v));
export const variants = {
  get seedSingle() { return keep(all.seedSingle); },
  get seedBatch() { return keep(all.seedBatch); },
  get pinn() { return keep(all.pinn); },
};
