// gradtape derivatives: f(x, t) of a network and all its first and second partial derivatives with respect to the
// inputs, at one or more points, by the library's one input-derivative engine, gt.jet, in one batched pass:
//
//   const { u, u_x, u_t, u_xx, u_xt, u_tt } = jet(net, X, { derivatives: [...], vars: ["x", "t"] })
//                                                          X: [N, 2, 1], the points (x, t) as columns
//
// For the seed network and any weights file (Dense layers with built-in activations) that is one forward sweep of
// Taylor coefficients; jet takes nested GradientTapes for networks the sweep cannot run. The points are independent
// rows of one batch, so every point gets its own derivatives.
import { tensor, tidy, jet, io as weightsIo, nn } from "gradtape";
import { parseOptions, parseNumber, parseInteger } from "../args.js";
import { CliError, EXIT_OK } from "../errors.js";
import { float32Number, sci, table } from "../format.js";
import { readWeights, seedModel, describeNetwork, INPUT_SHAPE } from "../weights.js";
import type { Command, Io } from "../command.js";
import { THREADS_OPTION, threadsHelp, readyWithThreads } from "../threads.js";

export const DEFAULT_SEED = 0;
export const DEFAULT_POINT: Point = { x: 0.5, t: 0.5 };

export interface Point { x: number; t: number }

export interface PointDerivatives {
  x: number; t: number;
  f: number;
  df_dx: number; df_dt: number;
  d2f_dx2: number;
  /** the mixed partial d2f/dxdt */
  d2f_dxdt: number;
  /** the same mixed partial, under the name d/dt (df/dx) (kept for the output's format) */
  d2f_dtdx: number;
  d2f_dt2: number;
}

const OPTIONS = {
  point: { type: "string", short: "p", multiple: true, valueName: "x,t" },
  weights: { type: "string", short: "w", valueName: "FILE" },
  activations: { type: "string", valueName: "LIST" },
  seed: { type: "string", valueName: "N" },
  dtype: { type: "string", valueName: "TYPE" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...THREADS_OPTION,
} as const;

const ACTIVATION_NAMES = Object.keys(nn.ACTIVATIONS).join(", ");

const HELP = `Usage: gradtape derivatives [--point x,t]... [--seed N | --weights FILE [--activations LIST]] [--json]

Evaluates a network f(x, t) and its partial derivatives with respect to the inputs at each point:
f, df/dx, df/dt, d2f/dx2, d2f/dxdt, d2f/dtdx, d2f/dt2 (d2f/dxdt and d2f/dtdx are the one mixed partial, printed
under both names). All points in one batch by gradtape's jet (a forward Taylor sweep), in float32 (or float64).

Options:
  -p, --point x,t     a point to evaluate at (repeatable; default ${DEFAULT_POINT.x},${DEFAULT_POINT.t}); two decimal numbers; for a
                      negative x write --point=-1,0.5 or --point -1,0.5
      --seed N        the seed network, Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid),
                      with weights drawn from seed N (an integer 0..4294967295; default ${DEFAULT_SEED})
  -w, --weights FILE  a network from a weights file instead ("-" reads standard input), read by gradtape's io:
                      JSON {"weights": {"layers": [{"kernel": [[...]], "bias": [...], "activation": "sigmoid"}, ...]}}
                      (the bare {"layers": [...]} too), or safetensors (as gradtape pinn --out writes), told apart by
                      the file's first bytes. kernel is [in][out], the first layer has 2 inputs (x, t), the last
                      layer 1 unit; activations: ${ACTIVATION_NAMES}.
      --activations LIST
                      the activations of a safetensors file that does not record them (one not written by
                      gradtape), one per layer, e.g. tanh,tanh,linear
      --dtype TYPE    float32 or float64: the network's and the arithmetic's dtype (default: float32 for the seed
                      network, a weights file's own dtype otherwise: float64 for F64 safetensors or JSON with
                      "dtype": "float64"); float64 results are printed with all 17 digits
      --json          print {"weights": {...}, "points": [{"x", "t", "f", "df_dx", "df_dt", "d2f_dx2", "d2f_dxdt",
                      "d2f_dtdx", "d2f_dt2"}]}; its "weights" is what --weights reads (exact round trip)
${threadsHelp(22)}
  -h, --help          show this help

Exit status: 0 on success, 2 for a bad option, point or weights file (one line on stderr).

Examples:
  gradtape derivatives --point 0.5,0.5 --point 0.1,0.9
  gradtape derivatives --seed 3 --json > net.json && gradtape derivatives --weights net.json --point 1,2
  gradtape pinn heat --out run && gradtape derivatives --weights run/weights.safetensors
`;

/** Parses `x,t` (two finite numbers). */
export function parsePoint(text: string): Point {
  const parts = text.split(",");
  const what = `--point ${JSON.stringify(text)}`;
  if (parts.length !== 2) {
    throw new CliError(`${what}: expected two numbers x,t separated by a comma (e.g. --point 0.5,0.25), got ${parts.length === 1 ? "one value" : `${parts.length} values`}`);
  }
  const [x, t] = parts.map((p, i) => parseNumber(p, `${what}: ${i === 0 ? "x" : "t"}`));
  for (const [name, v] of [["x", x], ["t", t]] as const) {
    if (!Number.isFinite(Math.fround(v))) throw new CliError(`${what}: ${name} = ${v} is outside the float32 range`);
  }
  return { x, t };
}

const NAMES = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tt"] as const;

/**
 * f and its first and second input derivatives at every point, in one batched call of gt.jet. `net` takes inputs
 * of shape [N, 2, 1] and gives [N, 1]. Leaves no tensors behind.
 */
export function inputDerivatives(net: nn.Layer, points: readonly Point[]): PointDerivatives[] {
  const n = points.length;
  if (n === 0) return [];
  const d = tidy(() => {
    const dtype = (net.weights[0]?.dtype ?? "float32") as "float32" | "float64";
    const X = tensor(points.flatMap((p) => [p.x, p.t]), [n, ...INPUT_SHAPE], dtype);
    const r = jet(net, X, { derivatives: NAMES, vars: ["x", "t"] });
    return NAMES.map((k) => r[k].data());
  });
  const [f, fx, ft, fxx, fxt, ftt] = d;
  return points.map((p, i) => ({
    x: p.x, t: p.t, f: f[i], df_dx: fx[i], df_dt: ft[i], d2f_dx2: fxx[i], d2f_dxdt: fxt[i], d2f_dtdx: fxt[i], d2f_dt2: ftt[i],
  }));
}

const COLUMNS = [
  ["f", "f"], ["df/dx", "df_dx"], ["df/dt", "df_dt"], ["d2f/dx2", "d2f_dx2"],
  ["d2f/dxdt", "d2f_dxdt"], ["d2f/dtdx", "d2f_dtdx"], ["d2f/dt2", "d2f_dt2"],
] as const;

function formatTable(rows: readonly PointDerivatives[], f64 = false): string {
  return table(
    ["x", "t", ...COLUMNS.map(([h]) => h)],
    rows.map((r) => [String(r.x), String(r.t), ...COLUMNS.map(([, k]) => (f64 ? r[k].toExponential(16) : sci(r[k])))]),
  );
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const opts = parseOptions(argv, OPTIONS, "derivatives");
  if (opts.help) { io.stdout(HELP); return EXIT_OK; }
  if (opts.weights !== undefined && opts.seed !== undefined) {
    throw new CliError("--seed and --weights cannot be used together: --seed draws the seed network's weights, --weights reads them from a file");
  }
  const seed = opts.seed === undefined ? DEFAULT_SEED : parseInteger(opts.seed, "--seed", 0, 0xffffffff);
  const points = opts.point.length ? opts.point.map(parsePoint) : [DEFAULT_POINT];
  await readyWithThreads(opts.threads);
  if (opts.activations !== undefined && opts.weights === undefined) throw new CliError("--activations names the layers of a --weights file; give --weights FILE too");
  const activations = opts.activations?.split(",").map((a) => a.trim());
  if (opts.dtype !== undefined && opts.dtype !== "float32" && opts.dtype !== "float64") throw new CliError(`--dtype: expected float32 or float64, got ${JSON.stringify(opts.dtype)}`);
  const want = opts.dtype as "float32" | "float64" | undefined;
  const net = opts.weights === undefined ? seedModel(seed, want) : await readWeights(opts.weights, io, activations, want);
  const f64 = net.weights[0]?.dtype === "float64";
  const num = f64 ? (v: number) => v : float32Number;
  try {
    const rows = inputDerivatives(net, points);
    if (opts.json) {
      const out = {
        weights: weightsIo.weightsToJSON(net).weights,
        points: rows.map((r) => {
          const o: Record<string, number> = { x: r.x, t: r.t };
          for (const [, k] of COLUMNS) o[k] = num(r[k]);
          return o;
        }),
      };
      io.stdout(`${JSON.stringify(out)}\n`);
    } else {
      const from = opts.weights === undefined ? `seed ${seed}` : opts.weights === "-" ? "standard input" : opts.weights;
      io.stdout(`network: ${describeNetwork(net)} (weights: ${from})\n`);
      io.stdout(`d2f/dxdt = d2f/dtdx (the mixed partial); ${f64 ? "float64" : "float32"} arithmetic\n\n`);
      io.stdout(formatTable(rows, f64));
    }
    return EXIT_OK;
  } finally {
    net.dispose();
  }
}

export const derivatives: Command = {
  name: "derivatives",
  summary: "f(x, t) of a network and its first and second partial derivatives at given points",
  help: HELP,
  run,
};
