// AdamW (Loshchilov & Hutter 2019): Adam with the weight decay decoupled from the gradient. Each update first
// shrinks the parameter, p <- p * (1 - lr * weightDecay), then takes the plain Adam step (as PyTorch's AdamW,
// where lr includes the schedule). Default weightDecay 0.01.
import { Adam, type AdamOptions } from "./adam.js";

export type AdamWOptions = AdamOptions;

export class AdamW extends Adam {
  constructor(options: AdamWOptions = {}) { super(options, "AdamW", true, 0.01); }
}
