// The report's figures on hand-made evaluations: cells where the reference is NaN (outside a pinn.geometry
// domain) are masked in all three maps; time runs along the horizontal axis of a u(t, x) map; the colour scale
// of the prediction and reference maps is shared.
import { describe, it, expect } from "vitest";
import { inflateSync } from "node:zlib";
import type { pinn } from "gradtape";
import { predictionFigure, slicesFigure } from "../src/report/figures.js";

function rasters(svg: string) {
  return [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => {
    const b = Buffer.from(m[1], "base64");
    const width = b.readUInt32BE(16), height = b.readUInt32BE(20);
    const chunks: Buffer[] = [];
    for (let off = 8; off < b.length;) { const len = b.readUInt32BE(off); if (b.toString("latin1", off + 4, off + 8) === "IDAT") chunks.push(b.subarray(off + 8, off + 8 + len)); off += 12 + len; }
    const raw = inflateSync(Buffer.concat(chunks));
    return (col: number, row: number) => Array.from(raw.subarray(row * (1 + 3 * width) + 1 + 3 * col, row * (1 + 3 * width) + 4 + 3 * col));
  });
}

const problem = (vars: string[]) => ({ name: "p", outputs: ["u"], vars }) as unknown as pinn.Problem;

describe("report figures", () => {
  it("masks cells whose reference is NaN in the prediction, reference and error maps", () => {
    // axes y (outer, 3 values) and x (inner, 4 values); reference NaN at (y0, x0) and (y2, x3)
    const u = Float64Array.from([NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NaN]);
    // the prediction equals the reference except 5 at (y1, x0) and 12 at (y2, x2): its own range would be [1, 12]
    const prediction = Float64Array.from([0, 1, 2, 3, 5, 5, 6, 7, 8, 9, 12, 0]);
    const ev = { relL2: 0.1, maxError: 0.5, prediction, reference: { axes: [["y", [0, 0.5, 1]], ["x", [0, 1, 2, 3]]], u } } as unknown as pinn.Evaluation;
    const maps = rasters(predictionFigure(problem(["x", "y"]), ev).svg);
    expect(maps).toHaveLength(3);
    for (const px of maps) {
      // x runs left to right, y bottom to top: (y0, x0) is the bottom-left pixel (col 0, row 2), (y2, x3) top-right
      expect(px(0, 2)).toEqual([225, 225, 225]);
      expect(px(3, 0)).toEqual([225, 225, 225]);
      expect(px(1, 2)).not.toEqual([225, 225, 225]);
    }
    // prediction and reference share one colour scale ([1, 12]): the prediction's 5 at (y1, x0) and the
    // reference's 5 at (y1, x1) get the same colour (separate scales, [1, 12] and [1, 10], would differ)
    const [pred, ref] = maps;
    expect(pred(0, 1)).toEqual(ref(1, 1));
    expect(pred(0, 1)).not.toEqual(ref(0, 1));
  });

  it("puts time on the horizontal axis, upward-running space on the vertical one, and slices at four times", () => {
    // u(t, x) = t: constant along x, increasing with t
    const ts = [0, 0.25, 0.5, 0.75, 1], xs = [0, 1];
    const u = Float64Array.from({ length: 10 }, (_, k) => ts[Math.floor(k / 2)]);
    const ev = { relL2: 0, maxError: 0, prediction: u.slice(), reference: { axes: [["t", ts], ["x", xs]], u } } as unknown as pinn.Evaluation;
    const fig = predictionFigure(problem(["x", "t"]), ev);
    const [pred] = rasters(fig.svg);
    // along a row (fixed x), the colour changes with t; along a column (fixed t) it does not
    expect(pred(0, 0)).not.toEqual(pred(4, 0));
    expect(pred(2, 0)).toEqual(pred(2, 1));
    expect(fig.svg).toContain(">network u(t, x)<");
    const slices = slicesFigure(problem(["x", "t"]), ev)!;
    expect(slices.svg.match(/>t = [\d.]+</g)).toEqual([">t = 0.25<", ">t = 0.5<", ">t = 0.75<", ">t = 1<"]);
    expect(slicesFigure(problem(["x", "y"]), { ...ev, reference: { axes: [["y", ts], ["x", xs]], u } } as unknown as pinn.Evaluation)).toBeNull();
  });
});
