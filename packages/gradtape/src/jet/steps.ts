// What the Taylor sweep can run, decided before anything is computed: the steps of a network (Dense, Flatten, and
// the input checks of the Sequentials around them), or the reason the network must take nested tapes instead.
//
// Taylor mode runs a Sequential of Dense and Flatten layers. A Dense layer's activation may be a built-in name
// (derivatives from the rules in activations.ts) or any elementwise function of tensors (derivatives from nested
// tapes on that function alone: activations.ts, tapeSource). Anything else, a layer this file does not know, a
// subclass that overrides call(), a plain function, goes through nested tapes on the whole network (nested.ts).
//
// A network may also declare a Taylor form (JetForm): an input scaling x_s = x * scale + shift followed by a body the
// sweep can run. PinnNetwork declares its box-to-[-1, 1] scaling this way, so jet() of a PINN takes Taylor mode.
import { Tensor, tensor } from "../tensor.js";
import { tidy } from "../memory.js";
import { Layer } from "../nn/layer.js";
import { Dense } from "../nn/dense.js";
import { Flatten } from "../nn/flatten.js";
import { Sequential } from "../nn/model.js";
import { ACTIVATIONS } from "../nn/activations.js";

export type Step = { kind: "dense"; layer: Dense } | { kind: "flatten"; layer: Flatten } | { kind: "check"; layer: Layer };

/** A network's Taylor form: inputs scaled per column (x * scale + shift), then `body`. */
export interface JetForm { body: Layer; scale: readonly number[]; shift: readonly number[] }

/** The Taylor form a network declares (a method jetForm() returning one, or null for none), else null. */
export function jetForm(net: unknown): JetForm | null {
  const f = (net as { jetForm?: unknown } | null)?.jetForm;
  return net instanceof Layer && typeof f === "function" ? (f.call(net) as JetForm | null) : null;
}

const elementwiseMemo = new WeakMap<object, Map<number, boolean>>();

/**
 * Whether a custom activation acts elementwise on a layer of `width` units, probed once per function and width on a
 * 2 x width input: the output must have the input's shape, and changing one entry of the input may change only that
 * entry of the output (a softmax or a normalisation over the batch fails this; a per-unit trainable slope passes).
 * Faà di Bruno's formula, and the derivatives taken by nested tapes on the activation, hold only for elementwise
 * functions; any other goes through nested tapes on the whole network.
 */
export function isElementwise(fn: (z: Tensor) => Tensor, width: number): boolean {
  let byWidth = elementwiseMemo.get(fn);
  if (!byWidth) elementwiseMemo.set(fn, byWidth = new Map());
  let ok = byWidth.get(width);
  if (ok === undefined) {
    const base = Array.from({ length: 2 * width }, (_, i) => Math.sin(1.7 * i + 0.3)); // distinct values in (-1, 1)
    try {
      ok = tidy(() => {
        const a = fn(tensor(base, [2, width])), b = fn(tensor([base[0] - 1.3, ...base.slice(1)], [2, width]));
        const shape = `2,${width}`;
        if (!(a instanceof Tensor) || !(b instanceof Tensor) || a.shape.join() !== shape || b.shape.join() !== shape) return false;
        const da = a.data(), db = b.data();
        for (let i = 1; i < 2 * width; i++) if (!Object.is(da[i], db[i])) return false;
        return true;
      });
    } catch {
      ok = false;
    }
    byWidth.set(width, ok);
  }
  return ok;
}

/** The steps of the Taylor sweep for `net`, or the reason it cannot take that path. */
export function taylorSteps(net: unknown): Step[] | string {
  const steps: Step[] = [];
  const visit = (l: unknown): string | null => {
    if (l instanceof Sequential) {
      if (l.call !== Sequential.prototype.call) return `${l.constructor.name} '${l.name}' overrides call()`;
      steps.push({ kind: "check", layer: l });
      for (const x of l.stack) { const r = visit(x); if (r) return r; }
      return null;
    }
    if (l instanceof Dense) {
      if (l.call !== Dense.prototype.call) return `${l.constructor.name} '${l.name}' overrides call()`;
      const a = l.activation;
      if (typeof a === "function" ? !isElementwise(a, l.units) : !(a in ACTIVATIONS)) {
        return `Dense '${l.name}' has an activation function that is not elementwise (the jet needs s(z) to act on each unit alone)`;
      }
      steps.push({ kind: "dense", layer: l });
      return null;
    }
    if (l instanceof Flatten) {
      if (l.call !== Flatten.prototype.call) return `${l.constructor.name} '${l.name}' overrides call()`;
      steps.push({ kind: "flatten", layer: l });
      return null;
    }
    if (l instanceof Layer) return `${l.constructor.name} '${l.name}' is not a Dense or Flatten layer (or a Sequential of them)`;
    return "it is a function, not a Sequential of Dense and Flatten layers";
  };
  const why = visit(net);
  if (why) return why;
  if (!steps.some((s) => s.kind === "dense")) return "it has no Dense layer";
  return steps;
}

/**
 * Why `net` cannot take the Taylor path for inputs shaped like X, or null when it can. Reasons: not a Sequential of
 * Dense/Flatten layers (nor declaring a Taylor form), an activation that is not elementwise, or inputs of rank > 2
 * reaching a Dense layer.
 */
export function taylorUnsupported(net: unknown, X: Tensor): string | null {
  const form = jetForm(net);
  const steps = taylorSteps(form ? form.body : net);
  if (typeof steps === "string") return steps;
  if (form && X.rank !== 2) return `${(net as Layer).name} takes inputs [N, features], but X has rank ${X.rank}`;
  let rank = X.rank;
  for (const s of steps) {
    if (s.kind === "flatten") rank = 2;
    else if (s.kind === "dense") { if (rank !== 2) return `Dense '${s.layer.name}' gets inputs of rank ${rank} (the jet needs [N, features]: put a Flatten first)`; break; }
  }
  return null;
}
