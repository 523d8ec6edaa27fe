import { describe, it, expect } from "vitest";
import { loadCore } from "../loader.js";

// The op table (assembly/ops/table.ts) is what every dispatcher reads: eager unaryOp/binaryOp, a jit program's
// replay, the reverse sweep. Every op code must have a complete entry, so that no op can be called, replayed or
// differentiated through a missing case (a missing backward rule used to fall into `default: break` and give a
// silently missing gradient). opRules(code) reports the entry as bits (see opRules in table.ts).
const EAGER = 1, REPLAY = 2, BACKWARD = 4, NONDIFF = 8, RECORDED_AS = 16, UNRECORDED = 32, TARGET_REPLAYS = 64;

describe("op table", async () => {
  const c = await loadCore();
  const codes = Object.entries(c.Op).filter(([, v]) => typeof v === "number") as [string, number][];

  it("lists the codes 0..n-1 once each", () => {
    expect(codes.length).toBeGreaterThan(40);
    expect(codes.map(([, v]) => v).sort((a, b) => a - b)).toEqual(codes.map((_, i) => i));
  });

  it("no op is defined twice", () => {
    expect(c.opRules(0)).not.toBe(-2);
  });

  it("every op code has a forward, a replay and a backward rule (or is declared non-differentiable)", () => {
    const problems: string[] = [];
    for (const [name, code] of codes) {
      const bits = c.opRules(code);
      if (bits < 0) { problems.push(`${name}: no entry in the op table (def(Op.${name}) in its family file)`); continue; }
      const kinds = [(bits & REPLAY) !== 0, (bits & RECORDED_AS) !== 0, (bits & UNRECORDED) !== 0].filter(Boolean).length;
      if (kinds !== 1) { problems.push(`${name}: must be exactly one of recorded (replay), recordedAs, unrecorded; bits ${bits}`); continue; }
      if (bits & REPLAY) {
        const back = (bits & BACKWARD) !== 0, nondiff = (bits & NONDIFF) !== 0;
        if (!back && !nondiff) problems.push(`${name}: recorded but has no backward rule and is not declared noGradient()`);
        if (back && nondiff) problems.push(`${name}: has a backward rule but is declared noGradient()`);
      }
      if ((bits & RECORDED_AS) && !(bits & TARGET_REPLAYS)) problems.push(`${name}: recorded as an op that has no replay`);
      if ((bits & UNRECORDED) && (bits & (BACKWARD | NONDIFF | EAGER))) problems.push(`${name}: unrecorded but has rules: bits ${bits}`);
    }
    expect(problems).toEqual([]);
  });

  it("unaryOp and binaryOp dispatch exactly the ops whose entry has an eager form, and refuse the rest", () => {
    const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 8);
    scratch()[0] = 4;
    const x = c.tensorNew(1, 0);
    new Float32Array(c.memory.buffer, c.tensorDataPtr(x), 4).set([0.5, 1.5, 2, 3]);
    for (const [name, code] of codes) {
      const eager = (c.opRules(code) & EAGER) !== 0;
      const u = c.unaryOp(code, x), b = c.binaryOp(code, x, x);
      const made = [u, b].filter((h) => h !== 0).length;
      expect(made, `${name}: eager ${eager}, unaryOp ${u}, binaryOp ${b}`).toBe(eager ? 1 : 0);
      c.clearError();
      for (const h of [u, b]) if (h !== 0) c.tensorRelease(h);
    }
    c.tensorRelease(x);
  });
});
