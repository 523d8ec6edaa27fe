// The fusion pass of jit programs: chains of elementwise steps become one step each (ops/chain.ts), run as one
// blocked pass over memory (kernels/chain.ts). An elementwise step is folded into the step that reads its output
// when that step is the only reader (not a program output, not viewed, not read twice) and writes the same shape:
// the folded steps and their consumer form a tree whose intermediates are never written in full. What folds:
// add, sub, mul, div (same shape, or a broadcast row such as a bias: [w] or [1, w] against [N, w], or a scalar),
// neg, square, affine, tanh, sigmoid, and the fused derivative ops tanhGrad, sigmoidGrad and mulMul.
// Results are the unfused ops' bit for bit (each instruction is its op's own formula in the chain's dtype: float32
// on f32x4 lanes or float64 on f64x2, one chain never mixing the two), so replays stay bit-identical to the eager
// function (test/integration/jit-fusion.test.ts) and a tape around a replay sees every op (a chain runs op by op
// while anything records).
//
// In Burgers' PINN step (nested tapes under jit) 149 of its 191 large elementwise steps ([10,000, 20]) run as 39
// chains: the tanh layers' bias add and tanh, and in the sweeps the sums of mulMul and tanhGrad terms.
import { Tensor, DType, sameShape, sizeOf } from "./tensor";
import { Op } from "./ops/codes";
import { K } from "./kernels/chain";
import { FusedChain, ChainMember } from "./ops/chain";
import { Step } from "./program";

/** At most this many ops per chain (the registers of a task are kept in L1: (MAX - 1) KiB in float32, twice that in
 *  float64, whose blocks have as many elements; 128-element float64 blocks measured no faster). */
const MAX_MEMBERS = 12;
/** Elements per block (a multiple of 4; a broadcast row of any period is read at each block's phase: ops/chain.ts). */
const BLOCK = 256;

/** The instruction kind of op, or -1 when it does not fold. */
function kindOf(op: i32): i32 {
  switch (op) {
    case Op.Add: return K.Add;
    case Op.Sub: return K.Sub;
    case Op.Mul: return K.Mul;
    case Op.Div: return K.Div;
    case Op.Neg: return K.Neg;
    case Op.Square: return K.Square;
    case Op.Affine: return K.Affine;
    case Op.Tanh: return K.Tanh;
    case Op.Sigmoid: return K.Sigmoid;
    case Op.TanhGrad: return K.TanhGrad;
    case Op.SigmoidGrad: return K.SigmoidGrad;
    case Op.MulMul: return K.MulMul;
  }
  return -1;
}

/** 0 when x has out's shape, the period of a row x broadcasts along out's leading axes, or -1 (neither). */
function periodOf(x: StaticArray<i32>, out: StaticArray<i32>): i32 {
  if (sameShape(x, out)) return 0;
  let lead = 0;
  while (lead < x.length && x[lead] == 1) lead++;
  const r = x.length - lead;
  if (r > out.length) return -1;
  for (let i = 0; i < r; i++) if (x[lead + i] != out[out.length - r + i]) return -1;
  const p = sizeOf(x);
  return p == sizeOf(out) ? 0 : p;
}


/** The steps with chains fused (steps in program order; shapes: every slot's shape, or null if unknown). */
export function fuseSteps(steps: StaticArray<Step>, outs: StaticArray<i32>, shapes: StaticArray<StaticArray<i32> | null>): StaticArray<Step> {
  const count = steps.length, nSlots = shapes.length;
  const uses = new StaticArray<i32>(nSlots), producer = new StaticArray<i32>(nSlots);
  for (let i = 0; i < nSlots; i++) producer[i] = -1;
  for (let k = 0; k < count; k++) { const s = steps[k]; producer[s.out] = k; for (let i = 0; i < s.ins.length; i++) uses[s.ins[i]]++; }
  for (let i = 0; i < outs.length; i++) uses[outs[i]] += 2;
  // which steps may be in a chain, and the period of each of their inputs
  const kind = new StaticArray<i32>(count);
  for (let k = 0; k < count; k++) {
    const s = steps[k];
    let kd = s.dtype == DType.Float32 || s.dtype == DType.Float64 ? kindOf(s.op) : -1;
    const broadcastOk = kd == K.Add || kd == K.Sub || kd == K.Mul || kd == K.Div;
    for (let i = 0; kd >= 0 && i < s.ins.length; i++) {
      const sh = shapes[s.ins[i]];
      const p = sh == null ? -1 : periodOf(sh!, s.outShape);
      if (p < 0 || (p > 0 && !broadcastOk)) kd = -1;
    }
    kind[k] = kd;
  }
  // roots, from the last step back: gather every foldable producer of a chain's steps
  const absorbedBy = new StaticArray<i32>(count);
  for (let k = 0; k < count; k++) absorbedBy[k] = -1;
  const groups = new Map<i32, Array<i32>>();
  for (let k = count - 1; k >= 0; k--) {
    if (kind[k] < 0 || absorbedBy[k] >= 0) continue;
    const root = steps[k];
    const members = new Array<i32>();
    members.push(k);
    for (let m = 0; m < members.length; m++) {
      const s = steps[members[m]];
      for (let i = 0; i < s.ins.length; i++) {
        const p = producer[s.ins[i]];
        if (p < 0 || kind[p] < 0 || absorbedBy[p] >= 0 || uses[s.ins[i]] != 1 || members.length >= MAX_MEMBERS) continue;
        if (!sameShape(steps[p].outShape, root.outShape) || steps[p].dtype != root.dtype) continue;
        absorbedBy[p] = k;
        members.push(p);
      }
    }
    if (members.length == 1) continue;
    members.sort((a: i32, b: i32): i32 => a - b);
    groups.set(k, members);
  }
  if (groups.size == 0) return steps;
  const out = new Array<Step>();
  for (let k = 0; k < count; k++) {
    if (absorbedBy[k] >= 0) continue;
    if (!groups.has(k)) { out.push(copyOf(steps[k])); continue; }
    out.push(fusedStep(steps, groups.get(k), producer, shapes));
  }
  const r = new StaticArray<Step>(out.length);
  for (let i = 0; i < out.length; i++) r[i] = out[i];
  return r;
}

/** A step of the fused list (its own record: the schedule writes what each step frees, which differs per list). */
function copyOf(s: Step): Step { return new Step(s.op, s.ins, s.out, s.dtype, s.ip, s.fp, s.outShape); }

/** The step that runs members (step indices, ascending; the last is the root) as one chain. */
function fusedStep(steps: StaticArray<Step>, members: Array<i32>, producer: StaticArray<i32>, shapes: StaticArray<StaticArray<i32> | null>): Step {
  const m = members.length, root = steps[members[m - 1]];
  // the member index of each step of the chain, and the external inputs (each slot once)
  const memberOf = new Map<i32, i32>();
  for (let j = 0; j < m; j++) memberOf.set(members[j], j);
  const ext = new Array<i32>();
  const periods = new Array<i32>();
  let heavy = false;
  for (let j = 0; j < m; j++) {
    const s = steps[members[j]];
    for (let i = 0; i < s.ins.length; i++) {
      const x = s.ins[i], p = producer[x];
      if (p >= 0 && memberOf.has(p)) continue;
      if (ext.includes(x)) continue;
      const per = periodOf(shapes[x]!, root.outShape);
      ext.push(x); periods.push(per);
    }
  }
  const nExt = ext.length, regs = m - 1;
  // each member's kind, operands (external input e, or nExt + q for member q's register) and constants
  // (constants in float64: a float32 chain's kernel rounds them to float32, as the unfused float32 ops do)
  const kinds = new StaticArray<i32>(m), opnds = new StaticArray<i32>(m * 5), cs = new StaticArray<f64>(m * 2);
  const ms = new StaticArray<ChainMember>(m);
  for (let j = 0; j < m; j++) {
    const s = steps[members[j]];
    const kd = kindOf(s.op);
    kinds[j] = kd;
    const refs = new StaticArray<i32>(s.ins.length);
    for (let i = 0; i < 5; i++) {
      let operand = -1;
      if (i < s.ins.length) {
        const x = s.ins[i], p = producer[x];
        if (p >= 0 && memberOf.has(p)) { const q = memberOf.get(p); operand = nExt + q; refs[i] = -q - 1; }
        else { operand = ext.indexOf(x); refs[i] = operand; }
      }
      opnds[j * 5 + i] = operand;
    }
    if (kd == K.Affine) { cs[j * 2] = s.fp[0]; cs[j * 2 + 1] = s.fp[1]; }
    else if (kd == K.MulMul) cs[j * 2] = s.fp[0];
    if (kd == K.Tanh || kd == K.Sigmoid) heavy = true;
    ms[j] = new ChainMember(s.op, s.replay, s.ip, s.fp, s.dtype, s.outShape, refs);
  }
  const dead = pairUp(kinds, opnds, cs, nExt);
  let nInstr = 0;
  for (let j = 0; j < m; j++) if (!dead[j]) nInstr++;
  const code = new StaticArray<i32>(nInstr * 7), consts = new StaticArray<f64>(nInstr * 2);
  let n = 0;
  for (let j = 0; j < m; j++) {
    if (dead[j]) continue;
    code[n * 7] = kinds[j];
    code[n * 7 + 1] = j == m - 1 ? nExt + regs : nExt + j;
    for (let i = 0; i < 5; i++) code[n * 7 + 2 + i] = opnds[j * 5 + i];
    consts[n * 2] = cs[j * 2]; consts[n * 2 + 1] = cs[j * 2 + 1];
    n++;
  }
  const ins = new StaticArray<i32>(nExt), per = new StaticArray<i32>(nExt);
  for (let i = 0; i < nExt; i++) { ins[i] = ext[i]; per[i] = periods[i]; }
  const step = new Step(root.op, ins, root.out, root.dtype, root.ip, root.fp, root.outShape);
  step.chain = new FusedChain(code, consts, nInstr, nExt, regs, per, BLOCK, heavy, ms, root.dtype);
  return step;
}

/**
 * Pairs of instructions that become one (kernels/chain.ts K): an add of a mulMul's result (and of a tanhGrad's on
 * its other side: three ops), an add feeding tanhGrad/sigmoidGrad (as g) or tanh/sigmoid. The folded members are
 * then dead (their registers are never written: their only reader reads their operands instead); returns which.
 */
function pairUp(kinds: StaticArray<i32>, opnds: StaticArray<i32>, cs: StaticArray<f64>, nExt: i32): StaticArray<bool> {
  const m = kinds.length;
  const dead = new StaticArray<bool>(m);
  // the member whose result operand i of member j is, if it is a live member of kind k; else -1
  const from = (j: i32, i: i32, k: i32, kinds: StaticArray<i32>, opnds: StaticArray<i32>, dead: StaticArray<bool>, nExt: i32): i32 => {
    const q = opnds[j * 5 + i] - nExt;
    return q >= 0 && kinds[q] == k && !dead[q] ? q : -1;
  };
  for (let j = 0; j < m; j++) {
    const kd = kinds[j];
    if (kd == K.Add) {
      // mulMul + tanhGrad (the sweeps' commonest sum), then mulMul + anything
      for (let side = 0; side < 2; side++) {
        const q = from(j, side, K.MulMul, kinds, opnds, dead, nExt), t = from(j, 1 - side, K.TanhGrad, kinds, opnds, dead, nExt);
        if (q < 0 || t < 0) continue;
        kinds[j] = side == 0 ? K.MulMulAddTanhGradL : K.MulMulAddTanhGradR;
        for (let i = 0; i < 3; i++) opnds[j * 5 + i] = opnds[q * 5 + i];
        opnds[j * 5 + 3] = opnds[t * 5]; opnds[j * 5 + 4] = opnds[t * 5 + 1];
        cs[j * 2] = cs[q * 2];
        dead[q] = true; dead[t] = true;
        break;
      }
      if (kinds[j] != K.Add) continue;
      for (let side = 0; side < 2; side++) {
        const q = from(j, side, K.MulMul, kinds, opnds, dead, nExt);
        if (q < 0) continue;
        const other = opnds[j * 5 + 1 - side];
        kinds[j] = side == 0 ? K.MulMulAddL : K.MulMulAddR;
        for (let i = 0; i < 3; i++) opnds[j * 5 + i] = opnds[q * 5 + i];
        opnds[j * 5 + 3] = other;
        cs[j * 2] = cs[q * 2];
        dead[q] = true;
        break;
      }
    } else if (kd == K.TanhGrad || kd == K.SigmoidGrad || kd == K.Tanh || kd == K.Sigmoid) {
      const q = from(j, 0, K.Add, kinds, opnds, dead, nExt);
      if (q < 0) continue;
      kinds[j] = kd == K.TanhGrad ? K.AddTanhGrad : (kd == K.SigmoidGrad ? K.AddSigmoidGrad : (kd == K.Tanh ? K.AddTanh : K.AddSigmoid));
      const y = opnds[j * 5 + 1];
      opnds[j * 5] = opnds[q * 5]; opnds[j * 5 + 1] = opnds[q * 5 + 1]; opnds[j * 5 + 2] = y;
      dead[q] = true;
    }
  }
  return dead;
}

/** Every slot's shape: the inputs', the leaves' and the step outputs'. */
export function slotShapes(steps: StaticArray<Step>, leaves: StaticArray<Tensor | null>, inShapes: StaticArray<StaticArray<i32>>): StaticArray<StaticArray<i32> | null> {
  const r = new StaticArray<StaticArray<i32> | null>(leaves.length);
  for (let i = 0; i < inShapes.length; i++) r[i] = inShapes[i];
  for (let i = inShapes.length; i < leaves.length; i++) { const t = leaves[i]; if (t != null) r[i] = t.shape; }
  for (let k = 0; k < steps.length; k++) r[steps[k].out] = steps[k].outShape;
  return r;
}

let fusing: bool = true;
/** Turns the pass on or off for programs built from now on (jit's `fuse` option; on by default). */
export function setFusion(on: bool): void { fusing = on; }
/** The pass as program.ts takes it (StepPass). */
export function fusePass(steps: StaticArray<Step>, outs: StaticArray<i32>, leaves: StaticArray<Tensor | null>, inShapes: StaticArray<StaticArray<i32>>): StaticArray<Step> {
  return fusing ? fuseSteps(steps, outs, slotShapes(steps, leaves, inShapes)) : steps;
}
