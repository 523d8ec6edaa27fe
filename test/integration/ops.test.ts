// The op conformance table's coverage: every op of the API has a row. The rows and their checks are in
// op-table/ (the harness says what each case checks) and run by ops-elementwise, ops-linalg and ops-shape.
import { describe, it, expect } from "vitest";
import { loadCore } from "@gradtape/core";
import { scalar as S } from "../reference/index.js";
import { ELEMENTWISE_ROWS, COMPARISONS } from "./op-table/rows-elementwise.js";
import { LINALG_ROWS } from "./op-table/rows-linalg.js";
import { SHAPE_ROWS } from "./op-table/rows-shape.js";

const ROWS = [...ELEMENTWISE_ROWS, ...LINALG_ROWS, ...SHAPE_ROWS];

describe("op conformance: table sanity", () => {
  it("covers every op of the foundation issue", () => {
    const ops = new Set(ROWS.map((r) => r.op));
    const required = [
      ...S.UNARY_NAMES, ...S.BINARY_NAMES, ...COMPARISONS, "where", "matMul", "sum", "mean", "max", "min",
      "reshape", "transpose", "expandDims", "squeeze", "broadcastTo", "slice", "index", "concat", "stack", "gather", "pad",
    ];
    expect(required.filter((o) => !ops.has(o)), "ops without a row").toEqual([]);
    for (const r of ROWS) expect(r.cases.length, `${r.op} has no cases`).toBeGreaterThan(0);
  });

  it("has a row for every elementwise op of the core's op table (Exp -> exp; Step and the fused derivative ops are internal)", async () => {
    const c = await loadCore();
    const ops = new Set(ROWS.map((r) => r.op));
    const eager = Object.entries(c.Op).filter(([name, code]) => typeof code === "number" && (c.opRules(code) & 1) !== 0 && !name.endsWith("Grad") && name !== "Step");
    const missing = eager.map(([name]) => name[0].toLowerCase() + name.slice(1)).filter((o) => !ops.has(o));
    expect(eager.length).toBeGreaterThan(25);
    expect(missing, "elementwise ops without a row").toEqual([]);
  });
});
