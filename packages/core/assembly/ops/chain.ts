// A fused chain of elementwise ops: one step of a jit program (built by its fusion pass, fusion.ts) that stands for
// several elementwise steps whose intermediates nothing else reads. It runs as one blocked pass over memory
// (kernels/chain.ts) and gives the unfused ops' results bit for bit (each instruction is the op's own formula in
// the chain's dtype, float32 or float64: a chain never mixes dtypes). When a tape or a trace records the run, the
// chain runs its ops one by one instead (their replays), so that every op is recorded as it would be without
// fusion; the same happens if an input is not of the chain's dtype.
import { Tensor, DType, release, retain, sizeOf, isRowBroadcast } from "../tensor";
import { failed, failOutOfMemory } from "../errors";
import { alloc, free } from "../memory";
import { anyRecording } from "./record";
import { ReplayFn } from "./table";
import { ERR, contig, outTensor, planOutput } from "./factory";
import { chainPar, chainTasks, Mode } from "../kernels/chain";
import { repeatRow, tileLength } from "../kernels/fused";

/** One of the chain's ops as the program recorded it, for the op-by-op run. */
export class ChainMember {
  /** refs[i]: input i is the chain's external input refs[i] (>= 0) or member -refs[i] - 1's result */
  constructor(public op: i32, public replay: ReplayFn, public ip: StaticArray<i32>, public fp: StaticArray<f64>,
              public dtype: i32, public outShape: StaticArray<i32>, public refs: StaticArray<i32>) {}
}

export class FusedChain {
  /** operand tables, refilled by every run: external inputs, then registers, then the output */
  bases: StaticArray<usize>;
  modes: StaticArray<i32>;
  constructor(public code: StaticArray<i32>, public consts: StaticArray<f64>, public nInstr: i32, public nExt: i32, public regs: i32,
              /** per external input: 0 (same shape as the output) or the period of a broadcast row (its size) */
              public periods: StaticArray<i32>,
              public block: i32, public heavy: bool, public members: StaticArray<ChainMember>,
              /** Float32 or Float64: every member's and every input's dtype */
              public dtype: i32) {
    const n = nExt + regs + 1;
    this.bases = new StaticArray<usize>(n);
    this.modes = new StaticArray<i32>(n);
  }
}

/** The chain's ops one by one (their replays): while recording, or as the fallback. */
function runMembers(c: FusedChain, x: StaticArray<Tensor>): Tensor {
  planOutput(null); // a record the program kept for the chain's output is not for the first member
  const ms = c.members, m = ms.length;
  const res = new StaticArray<Tensor>(m);
  for (let k = 0; k < m; k++) {
    const mb = unchecked(ms[k]);
    const refs = mb.refs;
    const args = new StaticArray<Tensor>(refs.length);
    for (let i = 0; i < refs.length; i++) { const r = refs[i]; args[i] = r >= 0 ? x[r] : res[-r - 1]; }
    const y = mb.replay(mb.op, args, mb.ip, mb.fp, mb.dtype, mb.outShape);
    if (y === ERR || failed()) { for (let j = 0; j < k; j++) release(res[j]); if (y !== ERR) release(y); return ERR; }
    res[k] = y;
  }
  for (let j = 0; j < m - 1; j++) release(res[j]);
  return res[m - 1];
}

/** The period of external input t (fusion's period p for it, or 0): p, a row broadcast's row length, or 0 (a stream). */
@inline function periodIn(t: Tensor, p: i32): i32 { return p != 0 ? p : (isRowBroadcast(t) ? unchecked(t.shape[1]) : 0); }

/** Runs chain c on its external inputs x; the result has shape outShape (the last member's). */
export function runChain(c: FusedChain, x: StaticArray<Tensor>, outShape: StaticArray<i32>): Tensor {
  if (failed()) return ERR;
  if (anyRecording()) return runMembers(c, x);
  const nExt = c.nExt, block = c.block, periods = c.periods, dtype = c.dtype;
  const n = sizeOf(outShape);
  for (let i = 0; i < nExt; i++) {
    const t = unchecked(x[i]), p = periods[i];
    if (t.dtype != dtype || t.size != (p == 0 ? n : p)) return runMembers(c, x);
  }
  // everything that can fail comes before the output (which may be a record the program keeps between runs)
  const wide = dtype == DType.Float64, sh = wide ? 3 : 2;   // log2 of the element size
  const tasks = chainTasks(n, block, c.heavy, wide);
  const regBytes = c.regs * block << sh;
  // a broadcast row (a bias of the chain's ops, or a row broadcast arriving as a full-size input: isRowBroadcast, a
  // product of a batchJacobian seed) is read from a tile of its row over P + block elements (tileLength)
  let tileElems = 0;
  for (let i = 0; i < nExt; i++) { const q = periodIn(unchecked(x[i]), periods[i]); if (q > 0) tileElems += tileLength(q, block, n); }
  const scratchBytes = <usize>(tasks * regBytes) + (<usize>tileElems << sh);
  const cs = new StaticArray<Tensor>(nExt);
  let ok = true;
  for (let i = 0; i < nExt; i++) {
    const xi = unchecked(x[i]);
    if (periods[i] == 0 && isRowBroadcast(xi)) { retain(xi); cs[i] = xi; continue; } // read from its row (below)
    const t = contig(xi); cs[i] = t; if (t === ERR) ok = false;
  }
  const scratch = ok ? alloc(scratchBytes) : 0;
  const out = scratch != 0 ? outTensor(outShape, dtype) : ERR;
  if (out !== ERR) {
    const bases = c.bases, modes = c.modes;
    let tile = scratch + <usize>(tasks * regBytes);
    for (let i = 0; i < nExt; i++) {
      const q = periodIn(cs[i], periods[i]), src = cs[i].ptr;
      if (q == 0) { bases[i] = src; modes[i] = Mode.Stream; continue; }
      const len = tileLength(q, block, n);
      repeatRow(tile, src, q, len, wide);
      bases[i] = tile; modes[i] = -q;
      tile += <usize>(len << sh);
    }
    for (let r = 0; r < c.regs; r++) { bases[nExt + r] = scratch + <usize>(r * block << sh); modes[nExt + r] = Mode.Reg; }
    bases[nExt + c.regs] = out.ptr; modes[nExt + c.regs] = Mode.Stream;
    chainPar(changetype<usize>(c.code), changetype<usize>(c.consts), c.nInstr, changetype<usize>(bases), changetype<usize>(modes),
             regBytes, block, n, tasks, wide);
  }
  for (let i = 0; i < nExt; i++) if (cs[i] !== ERR) release(cs[i]);
  if (scratch != 0) free(scratch, scratchBytes);
  else if (ok) failOutOfMemory(c.members[c.members.length - 1].op, <f64>scratchBytes);
  return out;
}
