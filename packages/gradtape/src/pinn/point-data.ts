// Observed values at points, from CSV text: a header row names the columns; the columns named like the problem's
// variables are the coordinates, the column named like the output (default: the first column that is not a
// variable) holds the observed values. Every row must have as many fields as the header and every field must be a
// finite number: the error names the source, the line and the column.
import { ArgumentError } from "../errors.js";

export interface PointCSVOptions {
  /** the problem's variables, in column order of the network */
  vars: readonly string[];
  /** the column of observed values (default: the only column that is not a variable) */
  output?: string;
  /** where the text came from, for messages (e.g. the file name) */
  source?: string;
}

/** Parses point data: rows [n][d] of coordinates in variable order, and the observed values. */
export function parsePointCSV(text: string, options: PointCSVOptions): { points: Float64Array; values: Float64Array } {
  const src = options.source ?? "point data";
  if (typeof text !== "string") throw new ArgumentError(`${src}: expected CSV text, but got ${typeof text}.`);
  const lines = text.split(/\r?\n/).map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l !== "" && !l.startsWith("#"));
  if (lines.length < 2) throw new ArgumentError(`${src}: expected a header row (e.g. ${[...options.vars, "u"].join(",")}) and at least one row of data.`);
  const header = lines[0][0].split(",").map((s) => s.trim());
  const { vars } = options;
  const cols = vars.map((v) => header.indexOf(v));
  const missing = vars.filter((_, j) => cols[j] < 0);
  if (missing.length) throw new ArgumentError(`${src}: the header (${header.join(", ")}) has no column ${missing.map((m) => `'${m}'`).join(", ")}; it needs one per variable (${vars.join(", ")}) and one of values.`);
  let vcol: number;
  if (options.output !== undefined) {
    vcol = header.indexOf(options.output);
    if (vcol < 0) throw new ArgumentError(`${src}: the header (${header.join(", ")}) has no column '${options.output}' of observed values.`);
  } else {
    const rest = header.map((_, j) => j).filter((j) => !cols.includes(j));
    if (rest.length !== 1) throw new ArgumentError(`${src}: expected exactly one column of values besides ${vars.join(", ")}, but the header has ${rest.length} (${rest.map((j) => header[j]).join(", ") || "none"}); name the output column with 'output'.`);
    vcol = rest[0];
  }
  const n = lines.length - 1, d = vars.length;
  const points = new Float64Array(n * d), values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [line, no] = lines[i + 1];
    const f = line.split(",").map((s) => s.trim());
    if (f.length !== header.length) throw new ArgumentError(`${src}, line ${no}: ${f.length} columns, but the header has ${header.length} (${header.join(", ")}).`);
    const num = (j: number): number => {
      const v = f[j] === "" ? NaN : Number(f[j]);
      if (!Number.isFinite(v)) throw new ArgumentError(`${src}, line ${no}, column '${header[j]}': '${f[j]}' is not a finite number.`);
      return v;
    };
    for (let k = 0; k < d; k++) points[i * d + k] = num(cols[k]);
    values[i] = num(vcol);
  }
  return { points, values };
}
