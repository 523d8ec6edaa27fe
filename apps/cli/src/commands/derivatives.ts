// gradtape derivatives: f(x, t) of a network and all its first and second partial derivatives with respect to the
// inputs, at one or more points, computed the gradtape way in one batched pass:
//
//   inner tape  f = net(X)                       X: [N, 2, 1], the points (x, t) as columns, watched
//               (df/dx, df/dt) = inner.gradient(f, { x: X[:, 0:1], t: X[:, 1:2] })
//               -- the sources are views of X made after the forward pass: TensorFlow returns None for
//                  tape.gradient(f, inp[0][0]); gradtape returns the matching part of the gradient
//   outer tape  H = outer.batchJacobian(concat(df/dx, df/dt), X)    [N, 2, 1, 2, 1]
//
// The points are independent rows of one batch, so the gradient of sum(f) gives each point's own gradient, and
// batchJacobian gives each point's own 2x2 Hessian.
import { tensor, concat, tidy, GradientTape, type Tensor, type nn } from "gradtape";
import { parseOptions, parseNumber, parseInteger } from "../args.js";
import { CliError, EXIT_OK } from "../errors.js";
import { float32Number, sci, table } from "../format.js";
import { readWeights, buildModel, seedModel, weightsOf, weightsToJson, describeNetwork, INPUT_SHAPE } from "../weights.js";
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
  /** d/dx (df/dt) */
  d2f_dxdt: number;
  /** d/dt (df/dx) */
  d2f_dtdx: number;
  d2f_dt2: number;
}

const OPTIONS = {
  point: { type: "string", short: "p", multiple: true, valueName: "x,t" },
  weights: { type: "string", short: "w", valueName: "FILE" },
  seed: { type: "string", valueName: "N" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...THREADS_OPTION,
} as const;

const HELP = `Usage: gradtape derivatives [--point x,t]... [--seed N | --weights FILE] [--json]

Evaluates a network f(x, t) and its partial derivatives with respect to the inputs at each point:
f, df/dx, df/dt, d2f/dx2, d2f/dxdt, d2f/dtdx, d2f/dt2, where d2f/dxdt = d/dx (df/dt) and d2f/dtdx = d/dt (df/dx)
(equal in exact arithmetic; computed separately). Nested GradientTapes, all points in one batch, float32.

Options:
  -p, --point x,t     a point to evaluate at (repeatable; default ${DEFAULT_POINT.x},${DEFAULT_POINT.t}); for a negative x write
                      --point=-1,0.5 or --point -1,0.5
      --seed N        the seed network, Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid),
                      with weights drawn from seed N (an integer 0..4294967295; default ${DEFAULT_SEED})
  -w, --weights FILE  a network from a weights file instead ("-" reads standard input):
                      {"weights": {"layers": [{"kernel": [[...]], "bias": [...], "activation": "sigmoid"}, ...]}}
                      kernel is [in][out], the first layer has 2 inputs (x, t), the last layer 1 unit; activations:
                      linear, sigmoid, tanh, relu, sin, softplus. The bare {"layers": [...]} is accepted too.
      --json          print {"weights": {...}, "points": [{"x", "t", "f", "df_dx", "df_dt", "d2f_dx2", "d2f_dxdt",
                      "d2f_dtdx", "d2f_dt2"}]}; its "weights" is what --weights reads (exact round trip)
${threadsHelp(22)}
  -h, --help          show this help

Exit status: 0 on success, 2 for a bad option, point or weights file (one line on stderr).

Examples:
  gradtape derivatives --point 0.5,0.5 --point 0.1,0.9
  gradtape derivatives --seed 3 --json > net.json && gradtape derivatives --weights net.json --point 1,2
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

/**
 * f and its first and second input derivatives at every point, in one batched pass of nested tapes.
 * `net` takes inputs of shape [N, 2, 1] and gives [N, 1]. Leaves no tensors behind.
 */
export function inputDerivatives(net: nn.Layer, points: readonly Point[]): PointDerivatives[] {
  const n = points.length;
  if (n === 0) return [];
  const { f, g, h } = tidy(() => {
    const X = tensor(points.flatMap((p) => [p.x, p.t]), [n, ...INPUT_SHAPE]);
    const outer = new GradientTape();
    const inner = new GradientTape();
    try {
      let fx!: Tensor;
      const grad = outer.record(() => {
        outer.watch(X);
        fx = inner.record(() => { inner.watch(X); return net.apply(X); });
        if (fx.shape.join() !== `${n},1`) throw new Error(`the network gave shape [${fx.shape.join(", ")}], expected [${n}, 1]`);
        // views of the watched input, made after the forward pass, as gradient sources: [N, 1, 1] each
        const x = X.slice([0, 0, 0], [-1, 1, -1]);
        const t = X.slice([0, 1, 0], [-1, 1, -1]);
        const d = inner.gradient(fx, { x, t }, { unconnected: "zero" });
        return concat([d.x!, d.t!], 1);                                  // [N, 2, 1]: (df/dx, df/dt)
      });
      // H[n, i, 0, j, 0] = d grad[n, i] / d X[n, j]; zeros where the gradient does not depend on X (linear nets)
      const H = outer.batchJacobian(grad, X, { unconnected: "zero" })!;  // [N, 2, 1, 2, 1]
      return { f: fx.data(), g: grad.data(), h: H.data() };
    } finally {
      inner.dispose();
      outer.dispose();
    }
  });
  return points.map((p, i) => ({
    x: p.x, t: p.t,
    f: f[i],
    df_dx: g[2 * i], df_dt: g[2 * i + 1],
    d2f_dx2: h[4 * i],          // d/dx (df/dx)
    d2f_dtdx: h[4 * i + 1],     // d/dt (df/dx)
    d2f_dxdt: h[4 * i + 2],     // d/dx (df/dt)
    d2f_dt2: h[4 * i + 3],      // d/dt (df/dt)
  }));
}

const COLUMNS = [
  ["f", "f"], ["df/dx", "df_dx"], ["df/dt", "df_dt"], ["d2f/dx2", "d2f_dx2"],
  ["d2f/dxdt", "d2f_dxdt"], ["d2f/dtdx", "d2f_dtdx"], ["d2f/dt2", "d2f_dt2"],
] as const;

function formatTable(rows: readonly PointDerivatives[]): string {
  return table(
    ["x", "t", ...COLUMNS.map(([h]) => h)],
    rows.map((r) => [String(r.x), String(r.t), ...COLUMNS.map(([, k]) => sci(r[k]))]),
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
  const fileWeights = opts.weights === undefined ? undefined : await readWeights(opts.weights, io);

  await readyWithThreads(opts.threads);
  const net = fileWeights ? buildModel(fileWeights) : seedModel(seed);
  try {
    const weights = weightsOf(net);
    const rows = inputDerivatives(net, points);
    if (opts.json) {
      const out = {
        weights: weightsToJson(weights),
        points: rows.map((r) => {
          const o: Record<string, number> = { x: r.x, t: r.t };
          for (const [, k] of COLUMNS) o[k] = float32Number(r[k]);
          return o;
        }),
      };
      io.stdout(`${JSON.stringify(out)}\n`);
    } else {
      const from = opts.weights === undefined ? `seed ${seed}` : opts.weights === "-" ? "standard input" : opts.weights;
      io.stdout(`network: ${describeNetwork(weights)} (weights: ${from})\n`);
      io.stdout("d2f/dxdt = d/dx (df/dt), d2f/dtdx = d/dt (df/dx); float32 arithmetic\n\n");
      io.stdout(formatTable(rows));
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
