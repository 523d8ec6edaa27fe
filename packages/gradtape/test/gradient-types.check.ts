// Compile-time checks of gradient()'s result types (checked by gradient-types.test.ts with tsc, never run).
import * as gt from "gradtape";
declare const tape: gt.GradientTape; declare const y: gt.Tensor; declare const x: gt.Tensor; declare const opts: gt.GradientOptions;
const a: gt.Tensor = tape.gradient(y, x, { unconnected: "zero" });
const b: gt.Tensor[] = tape.gradient(y, [x, x], { unconnected: "error" });
const c: { p: gt.Tensor } = tape.gradient(y, { p: x }, { unconnected: "zero" });
const d: gt.Tensor | null = tape.gradient(y, x);
// @ts-expect-error: the default can give null
const e: gt.Tensor = tape.gradient(y, x);
// @ts-expect-error: a GradientOptions variable may say "none"
const f: gt.Tensor = tape.gradient(y, x, opts);
const g: gt.Tensor | null = tape.gradient(y, x, { outputGradients: y });
export { a, b, c, d, e, f, g };
