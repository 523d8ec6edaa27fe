// Hash containers keyed by tensor ids, for the tape's hot paths (which tensors a tape tracks; the cotangents of a
// reverse sweep). Ids are positive and handed out in sequence (tensor.ts), so the home slot `id & mask` spreads
// tensors made close together over consecutive slots and a lookup is usually one probe; open addressing with
// linear probing, at most half full. Unlike ~lib's Set/Map (two buffers per container, rehash copies, and an
// ordered entry list that deletions leave holes in), a container here is reused: clear() keeps its storage. That
// removed ~40 allocations from a one-point f + gradient + Hessian (seed-single), a fifth of the core's.

const EMPTY: i32 = 0; // no tensor has id 0

@inline function slotOf(keys: StaticArray<i32>, mask: i32, id: i32): i32 {
  let i = id & mask;
  while (true) {
    const k = unchecked(keys[i]);
    if (k == id || k == EMPTY) return i;
    i = (i + 1) & mask;
  }
}

/** A set of tensor ids. */
export class IdSet {
  keys: StaticArray<i32> = new StaticArray<i32>(16);
  mask: i32 = 15;
  count: i32 = 0;

  @inline has(id: i32): bool { return unchecked(this.keys[slotOf(this.keys, this.mask, id)]) == id; }

  @inline add(id: i32): void {
    const i = slotOf(this.keys, this.mask, id);
    if (unchecked(this.keys[i]) == id) return;
    unchecked(this.keys[i] = id);
    if (++this.count << 1 > this.mask + 1) this.grow();
  }

  /** Empties the set, keeping its storage. */
  clear(): void {
    if (this.count == 0) return;
    memory.fill(changetype<usize>(this.keys), 0, <usize>this.keys.length << 2);
    this.count = 0;
  }

  private grow(): void {
    const old = this.keys, n = old.length << 1;
    this.keys = new StaticArray<i32>(n); this.mask = n - 1;
    for (let j = 0; j < old.length; j++) {
      const k = unchecked(old[j]);
      if (k != EMPTY) unchecked(this.keys[slotOf(this.keys, this.mask, k)] = k);
    }
  }
}

/** A map from tensor ids to values of a class type V. */
export class IdMap<V> {
  keys: StaticArray<i32> = new StaticArray<i32>(16);
  vals: StaticArray<V | null> = new StaticArray<V | null>(16);
  mask: i32 = 15;
  count: i32 = 0;

  @inline has(id: i32): bool { return unchecked(this.keys[slotOf(this.keys, this.mask, id)]) == id; }

  /** The value of id (the caller has checked has(id)). */
  get(id: i32): V { return changetype<V>(unchecked(this.vals[slotOf(this.keys, this.mask, id)])); }

  set(id: i32, v: V): void {
    const i = slotOf(this.keys, this.mask, id);
    unchecked(this.vals[i] = v);
    if (unchecked(this.keys[i]) == id) return;
    unchecked(this.keys[i] = id);
    if (++this.count << 1 > this.mask + 1) this.grow();
  }

  /** The slot holding id, or -1 (with slotValue and deleteAt: one probe where has, get and delete took three). A
   *  slot stays valid until the map grows (set of a new id) or an entry is deleted. */
  find(id: i32): i32 {
    const i = slotOf(this.keys, this.mask, id);
    return unchecked(this.keys[i]) == id ? i : -1;
  }

  delete(id: i32): void {
    const i = this.find(id);
    if (i >= 0) this.deleteAt(i);
  }

  /** The slot of id: the one holding it, or the empty one where insertAt puts it (valid until the map changes). */
  @inline slotFor(id: i32): i32 { return slotOf(this.keys, this.mask, id); }

  /** Puts a new id in slot i (slotFor's empty slot for it): set() without probing again. */
  insertAt(i: i32, id: i32, v: V): void {
    unchecked(this.vals[i] = v);
    unchecked(this.keys[i] = id);
    if (++this.count << 1 > this.mask + 1) this.grow();
  }

  /** Empties the map by clearing only its live slots (clear() writes every slot, two memory.fill calls into the
   *  engine), for a caller that visits them anyway: f is called with each value first. */
  drain(f: (v: V) => void): void {
    if (this.count == 0) return;
    const keys = this.keys, vals = this.vals;
    for (let i = 0; i < keys.length; i++) {
      if (unchecked(keys[i]) == EMPTY) continue;
      f(changetype<V>(unchecked(vals[i])));
      unchecked(keys[i] = EMPTY); unchecked(vals[i] = null);
    }
    this.count = 0;
  }

  /** Removes the entry in slot i (a slot find() returned, still valid). */
  deleteAt(i: i32): void {
    const keys = this.keys, vals = this.vals, mask = this.mask;
    this.count--;
    // backward-shift deletion (as the handle table in tensor.ts): an entry later in the probe run moves into the
    // hole unless its home slot lies cyclically in (hole, entry]
    let j = i;
    while (true) {
      j = (j + 1) & mask;
      const k = unchecked(keys[j]);
      if (k == EMPTY) break;
      const home = k & mask;
      if (i <= j ? (home > i && home <= j) : (home > i || home <= j)) continue;
      unchecked(keys[i] = k); unchecked(vals[i] = unchecked(vals[j]));
      i = j;
    }
    unchecked(keys[i] = EMPTY); unchecked(vals[i] = null);
  }

  /** The number of slots; with slotKey/slotValue, a way to visit every entry without allocating. */
  @inline get capacity(): i32 { return this.keys.length; }
  /** The id in slot i, or 0 when the slot is empty. */
  @inline slotKey(i: i32): i32 { return unchecked(this.keys[i]); }
  @inline slotValue(i: i32): V { return changetype<V>(unchecked(this.vals[i])); }

  /** Empties the map, keeping its storage (values are dropped, not released: the caller owns that). */
  clear(): void {
    if (this.count == 0) return;
    memory.fill(changetype<usize>(this.keys), 0, <usize>this.keys.length << 2);
    memory.fill(changetype<usize>(this.vals), 0, <usize>this.vals.length << 2);
    this.count = 0;
  }

  private grow(): void {
    const ok = this.keys, ov = this.vals, n = ok.length << 1;
    this.keys = new StaticArray<i32>(n); this.vals = new StaticArray<V | null>(n); this.mask = n - 1;
    for (let j = 0; j < ok.length; j++) {
      const k = unchecked(ok[j]);
      if (k == EMPTY) continue;
      const i = slotOf(this.keys, this.mask, k);
      unchecked(this.keys[i] = k); unchecked(this.vals[i] = unchecked(ov[j]));
    }
  }
}
