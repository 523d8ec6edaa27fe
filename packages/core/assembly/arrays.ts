// Arrays for the core's hot paths. filled(): a StaticArray its maker writes in full at once, without the zeroing
// `new StaticArray` does first (a memory.fill, which V8 compiles to a call into C++: ~50 instructions per array,
// ~50 arrays per eager TF-style evaluation). RefStack and IntStack: growable stacks for the hottest lists.
//
// A growable stack of references for the core's hottest lists (the tensors made inside a backward rule's scope,
// the spare storage records). Array#push is a call into a function that calls ensureCapacity, and every read a
// bounds-checked call: together ~8k instructions of an eager TF-style evaluation (test/bench/eager-overhead.mjs).
// Here push and pop inline to a compare and a store; only growth is a call.
/**
 * A StaticArray of n elements whose contents are undefined until written: the caller must write every element
 * before anything can read it, the collector included (it runs only at an export's entry, gc.ts, so writing them
 * all before returning from the function that made it is enough).
 */
@inline export function filled<T>(n: i32): StaticArray<T> {
  return changetype<StaticArray<T>>(__new(<usize>n << alignof<T>(), idof<StaticArray<T>>()));
}

export class RefStack<T> {
  items: StaticArray<T | null> = new StaticArray<T | null>(64);
  length: i32 = 0;

  @inline push(v: T): void {
    if (this.length == this.items.length) this.grow();
    unchecked(this.items[this.length++] = v);
  }

  /** The top item, removed (its slot cleared, so the collector does not keep it alive). The stack must not be empty. */
  @inline pop(): T {
    if (this.length <= 0) unreachable();
    const v = unchecked(this.items[--this.length]);
    unchecked(this.items[this.length] = null);
    return changetype<T>(v);
  }

  /** Item i, for 0 <= i < length (the caller's loop bound). */
  @inline at(i: i32): T { return changetype<T>(unchecked(this.items[i])); }

  /** Drops the items from n on (clearing their slots). */
  @inline truncate(n: i32): void {
    for (let i = n; i < this.length; i++) unchecked(this.items[i] = null);
    if (n < this.length) this.length = n < 0 ? 0 : n;
  }

  private grow(): void {
    const old = this.items, n = old.length << 1;
    const a = new StaticArray<T | null>(n);
    memory.copy(changetype<usize>(a), changetype<usize>(old), <usize>old.length << alignof<usize>());
    this.items = a;
  }
}

/** The same for i32 values (the scope marks: one push and one pop per node of every backward sweep). */
export class IntStack {
  items: StaticArray<i32> = new StaticArray<i32>(16);
  length: i32 = 0;

  @inline push(v: i32): void {
    if (this.length == this.items.length) this.grow();
    unchecked(this.items[this.length++] = v);
  }

  /** The top value, removed. The stack must not be empty. */
  @inline pop(): i32 {
    if (this.length <= 0) unreachable();
    return unchecked(this.items[--this.length]);
  }

  /** Value i, for 0 <= i < length (the caller's loop bound). */
  @inline at(i: i32): i32 { return unchecked(this.items[i]); }

  /** Drops the values from n on. */
  @inline truncate(n: i32): void { if (n < this.length) this.length = n < 0 ? 0 : n; }

  private grow(): void {
    const old = this.items, n = old.length << 1;
    const a = new StaticArray<i32>(n);
    memory.copy(changetype<usize>(a), changetype<usize>(old), <usize>old.length << 2);
    this.items = a;
  }
}
