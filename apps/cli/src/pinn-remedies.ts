// The options of `gradtape pinn` for the remedies of hard problems: adaptive collocation (--adaptive rad|rar|rar-d),
// causal training (--causal) and loss balancing (--balancing lr-annealing|grad-norm|ntk), parsed and checked before
// anything is trained, as pinn.train options; and the line of the result that reports them.
import { pinn } from "gradtape";
import { parseInteger, parseNumber } from "./args.js";
import { CliError } from "./errors.js";

export const REMEDY_OPTIONS = {
  adaptive: { type: "string", valueName: "METHOD" },
  "adaptive-every": { type: "string", valueName: "N" },
  "adaptive-candidates": { type: "string", valueName: "N" },
  "adaptive-k": { type: "string", valueName: "K" },
  "adaptive-c": { type: "string", valueName: "C" },
  "adaptive-add": { type: "string", valueName: "N" },
  causal: { type: "boolean" },
  "no-causal": { type: "boolean" },
  "causal-eps": { type: "string", valueName: "EPS" },
  "causal-slices": { type: "string", valueName: "M" },
  balancing: { type: "string", valueName: "SCHEME" },
  "balancing-every": { type: "string", valueName: "N" },
} as const;

export const REMEDY_HELP = `
Remedies for hard problems (defaults: the problem's; see docs of pinn.train):
      --adaptive METHOD   adaptive collocation (Wu et al. 2023): rad (resample all points with density
                          |r|^k / mean |r|^k + c), rar (add the largest-residual candidates), rar-d (add draws
                          by that density), or none; seeded by --seed, resumable
      --adaptive-every N  steps between resamples (default 1000)
      --adaptive-candidates N  random candidates per resample (default 100000)
      --adaptive-k K, --adaptive-c C  the density's exponent and constant (rad: 1 and 1; rar-d: 2 and 0)
      --adaptive-add N    rar, rar-d: points added per resample (default 10)
      --causal            causal training (Wang, Sankaran & Perdikaris 2022): residual weights by time slice,
                          w_i = exp(-eps sum_{j<i} L_j); the problem needs a time variable t
      --no-causal         train without causal weights where the problem's defaults have them
      --causal-eps EPS    eps, or a list to anneal through: "0.01,0.1,1,10,100" (default 1)
      --causal-slices M   time slices (default 32)
      --balancing SCHEME  loss weights: lr-annealing, grad-norm, ntk (Wang, Yu & Perdikaris 2022) or none
      --balancing-every N  Adam steps between weight updates
`;

type Parsed = { [K in keyof typeof REMEDY_OPTIONS]?: (typeof REMEDY_OPTIONS)[K]["type"] extends "boolean" ? boolean : string };
export type RemedyTrainOptions = Pick<pinn.TrainOptions, "adaptive" | "causal" | "balancing">;

/** The remedy options as pinn.train options (undefined: the problem's default), or a CliError. */
export function parseRemedies(o: Parsed): RemedyTrainOptions {
  const out: RemedyTrainOptions = {};
  const methods = [...pinn.ADAPTIVE_METHODS, "none"];
  const adaptiveDetail = o["adaptive-every"] ?? o["adaptive-candidates"] ?? o["adaptive-k"] ?? o["adaptive-c"] ?? o["adaptive-add"];
  if (o.adaptive !== undefined) {
    if (!methods.includes(o.adaptive)) throw new CliError(`--adaptive: expected one of ${methods.join(", ")}, got ${JSON.stringify(o.adaptive)}`);
    if (o.adaptive === "none") {
      if (adaptiveDetail !== undefined) throw new CliError(`--adaptive none: the --adaptive-* settings have nothing to set`);
      out.adaptive = false;
    } else {
      const a: pinn.AdaptiveOptions = { method: o.adaptive as pinn.AdaptiveMethod };
      if (o["adaptive-every"] !== undefined) a.every = parseInteger(o["adaptive-every"], "--adaptive-every", 1, 1e9);
      if (o["adaptive-candidates"] !== undefined) a.candidates = parseInteger(o["adaptive-candidates"], "--adaptive-candidates", 1, 1e7);
      if (o["adaptive-add"] !== undefined) a.add = parseInteger(o["adaptive-add"], "--adaptive-add", 1, 1e7);
      for (const key of ["k", "c"] as const) {
        const text = o[`adaptive-${key}`];
        if (text === undefined) continue;
        const v = parseNumber(text, `--adaptive-${key}`);
        if (!(v >= 0)) throw new CliError(`--adaptive-${key}: expected a number >= 0, got ${JSON.stringify(text)}`);
        a[key] = v;
      }
      out.adaptive = a;
    }
  } else if (adaptiveDetail !== undefined) throw new CliError(`the --adaptive-* settings need --adaptive METHOD (${pinn.ADAPTIVE_METHODS.join(", ")})`);

  const causalDetail = o["causal-eps"] ?? o["causal-slices"];
  if (o.causal && o["no-causal"]) throw new CliError(`--causal and --no-causal contradict each other`);
  if (o["no-causal"]) {
    if (causalDetail !== undefined) throw new CliError(`--no-causal: the --causal-* settings have nothing to set`);
    out.causal = false;
  } else if (o.causal || causalDetail !== undefined) {
    const c: pinn.CausalOptions = {};
    if (o["causal-slices"] !== undefined) c.slices = parseInteger(o["causal-slices"], "--causal-slices", 2, 4096);
    if (o["causal-eps"] !== undefined) {
      const list = o["causal-eps"].split(",").map((s) => parseNumber(s, "--causal-eps"));
      if (!list.every((e, i) => e > 0 && (i === 0 || e > list[i - 1]))) throw new CliError(`--causal-eps: expected a number > 0 or an increasing list like 0.01,0.1,1,10,100, got ${JSON.stringify(o["causal-eps"])}`);
      c.eps = list.length === 1 ? list[0] : list;
    }
    out.causal = c;
  }

  if (o.balancing !== undefined) {
    const schemes = [...pinn.BALANCING_SCHEMES, "none"];
    if (!schemes.includes(o.balancing)) throw new CliError(`--balancing: expected one of ${schemes.join(", ")}, got ${JSON.stringify(o.balancing)}`);
    if (o.balancing !== "none") {
      out.balancing = o["balancing-every"] === undefined ? o.balancing as pinn.BalancingScheme
        : { scheme: o.balancing as pinn.BalancingScheme, every: parseInteger(o["balancing-every"], "--balancing-every", 1, 1e9) };
    } else if (o["balancing-every"] !== undefined) throw new CliError(`--balancing none: --balancing-every has nothing to set`);
  } else if (o["balancing-every"] !== undefined) throw new CliError(`--balancing-every needs --balancing SCHEME (${pinn.BALANCING_SCHEMES.join(", ")})`);
  return out;
}

/** "  remedies: ..." for the result, or "" when none was used. */
export function remedyLine(result: pinn.TrainResult): string {
  const parts: string[] = [];
  if (result.adaptive) parts.push(`adaptive collocation ${result.adaptive.resamples} resamples (${result.adaptive.points} points now)`);
  if (result.causal) parts.push(`causal weights min ${result.causal.minWeight.toPrecision(3)} (eps ${result.causal.eps})`);
  if (result.lossWeights) parts.push(`loss weights ${Object.entries(result.lossWeights).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(", ")}`);
  return parts.length ? `  remedies: ${parts.join("; ")}\n` : "";
}

/** A checkpoint's adaptive and causal settings as pinn.train options (what `--resume` trains with unless given). */
export function remediesOf(cp: pinn.TrainCheckpoint): RemedyTrainOptions {
  if (!cp.remedies) return {};
  let s: { adaptive?: pinn.AdaptiveSettings | null; causal?: pinn.CausalSettings | null };
  try { s = JSON.parse(cp.remedies.settings); } catch { throw new CliError(`the checkpoint's adaptive/causal settings are not readable JSON`); }
  const out: RemedyTrainOptions = {};
  if (s.adaptive) { const { method, every, candidates, k, c, add, seed } = s.adaptive; out.adaptive = { method, every, candidates, k, c, add, seed }; }
  if (s.causal) { const { time, slices, eps, delta, every } = s.causal; out.causal = { time, slices, eps: eps.length === 1 ? eps[0] : eps, delta, every }; }
  return out;
}
