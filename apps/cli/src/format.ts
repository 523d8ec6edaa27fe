// Number and table formatting shared by commands: every number the CLI prints is formatted here.
import { io } from "gradtape";

/**
 * The shortest decimal that reads back (through Math.fround) as the same float32: 0.1f prints as 0.1, not
 * 0.10000000149011612. Used for everything gradtape computed (float32), so that JSON output is compact and a
 * round trip through `--weights` reproduces the weights bit for bit. The library's rule (io.float32Decimal), the one
 * its JSON weights are written with.
 */
export const float32Number: (v: number) => number = io.float32Decimal;

/** Scientific notation with `digits` digits after the point and a two-digit exponent: -2.431803e-04. */
export function sci(v: number, digits = 6): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  const [mant, exp] = v.toExponential(digits).split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** Right-aligned columns separated by two spaces; `header` is the first row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
