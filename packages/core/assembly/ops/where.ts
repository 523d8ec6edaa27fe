// where(cond, a, b): a where cond is non-zero, else b, with three-way broadcasting. Differentiable in a and b:
// the cotangent is routed by the same condition (never multiplied by it, so an Inf in the branch not taken cannot
// turn into NaN). The condition gets no gradient.
import { Tensor, DType, stdStrides, dshift } from "../tensor";
import { failed } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { NdIter, broadcastInto } from "../kernels/iter";
import { ERR, NO_I, NO_F, broadcastShapes, broadcastStrides, dtypeError, outTensor, arr1 } from "./factory";
import { unbroadcast } from "./view";
import { zerosLike } from "./creation";

const whereIter = new NdIter();

export function where(c: Tensor, a: Tensor, b: Tensor): Tensor {
  if (failed()) return ERR;
  // a and b: both float32 or both float64 (mixing is a DType error naming the other's dtype, the cast to add)
  const f64 = a.dtype == DType.Float64;
  if (a.dtype != DType.Float32 && !f64) return dtypeError(Op.Where, 1, DType.Float32, a);
  if (b.dtype != a.dtype) return dtypeError(Op.Where, 2, a.dtype, b);
  const s1 = broadcastShapes(Op.Where, c.shape, a.shape);
  if (s1 == null) return ERR;
  const shape = broadcastShapes(Op.Where, s1, b.shape);
  if (shape == null) return ERR;
  const y = outTensor(shape, a.dtype);
  if (y === ERR) return ERR;
  const it = whereIter;
  broadcastInto(c.shape, c.strides, shape, it.in0); broadcastInto(a.shape, a.strides, shape, it.in1); broadcastInto(b.shape, b.strides, shape, it.in2);
  it.begin(shape);
  const n = it.inner, sc = it.i0, sa = it.i1, sb = it.i2;
  let o = y.ptr;
  if (f64 || c.dtype == DType.Float64) where64(c, a, b, y, it);
  else while (!it.done) {
    const pc = c.ptr + (<usize>it.o0 << 2), pa = a.ptr + (<usize>it.o1 << 2), pb = b.ptr + (<usize>it.o2 << 2);
    for (let i = 0; i < n; i++) {
      const cv = load<f32>(pc + (<usize>(i * sc) << 2));
      store<f32>(o, cv != 0 ? load<f32>(pa + (<usize>(i * sa) << 2)) : load<f32>(pb + (<usize>(i * sb) << 2)));
      o += 4;
    }
    it.next();
  }
  if (anyRecording()) {
    const ins = new StaticArray<Tensor>(3); ins[0] = c; ins[1] = a; ins[2] = b;
    record(Op.Where, ins, y, arr1(c), NO_I, NO_F);
  }
  return y;
}

/** The walk of where() when the condition or the branches are float64 (a condition of 4 or 8 bytes, branches of either). */
function where64(c: Tensor, a: Tensor, b: Tensor, y: Tensor, it: NdIter): void {
  const n = it.inner, sc = it.i0, sa = it.i1, sb = it.i2;
  const cs = dshift(c.dtype), vs = dshift(a.dtype), f64 = a.dtype == DType.Float64;
  let o = y.ptr;
  while (!it.done) {
    const pc = c.ptr + (<usize>it.o0 << cs), pa = a.ptr + (<usize>it.o1 << vs), pb = b.ptr + (<usize>it.o2 << vs);
    for (let i = 0; i < n; i++) {
      const pci = pc + (<usize>(i * sc) << cs);
      const on = cs == 3 ? load<f64>(pci) != 0 : load<f32>(pci) != 0;
      const src = on ? pa + (<usize>(i * sa) << vs) : pb + (<usize>(i * sb) << vs);
      if (f64) store<f64>(o, load<f64>(src)); else store<f32>(o, load<f32>(src));
      o += 1 << vs;
    }
    it.next();
  }
}

// d where(c, a, b) = where(c, da, 0) + where(c, 0, db)
function whereBackward(n: Node, g: Tensor): void {
  const c = n.savedAt(0);
  const z = zerosLike(g);
  if (n.needs(1)) n.grad(1, unbroadcast(where(c, g, z), n.inShape(1)));
  if (n.needs(2)) n.grad(2, unbroadcast(where(c, z, g), n.inShape(2)));
}

function replayWhere(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return where(x[0], x[1], x[2]); }
def(Op.Where).replays(replayWhere).backwards(whereBackward);
