// Seeded random numbers: xoshiro128** (Blackman & Vigna) seeded through splitmix32, one generator per handle.
// The same seed gives the same stream on every machine (integer arithmetic only). Uniform floats take the top 24
// bits (exactly representable in float32, range [0, 1)); normals use Box-Muller in float64 on two 32-bit uniforms.

class Gen { a: u32; b: u32; c: u32; d: u32; spare: f64 = 0; hasSpare: bool = false;
  constructor(seed: u32) {
    let z = seed;
    this.a = mix(z += 0x9e3779b9); this.b = mix(z += 0x9e3779b9); this.c = mix(z += 0x9e3779b9); this.d = mix(z += 0x9e3779b9);
    if ((this.a | this.b | this.c | this.d) == 0) this.a = 1;
  }
  next(): u32 {
    const r = rotl<u32>(this.b * 5, 7) * 9;
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t; this.d = rotl<u32>(this.d, 11);
    return r;
  }
  uniform(): f32 { return <f32>(this.next() >>> 8) * (<f32>1.0 / <f32>16777216.0); }
  normal(): f64 {
    if (this.hasSpare) { this.hasSpare = false; return this.spare; }
    const u1 = (<f64>this.next() + 1.0) / 4294967297.0; // (0, 1]
    const u2 = <f64>this.next() / 4294967296.0;
    const r = Math.sqrt(-2.0 * Math.log(u1)), th = 2.0 * Math.PI * u2;
    this.spare = r * Math.sin(th); this.hasSpare = true;
    return r * Math.cos(th);
  }
}

function mix(x: u32): u32 {
  x ^= x >>> 16; x *= 0x85ebca6b; x ^= x >>> 13; x *= 0xc2b2ae35; x ^= x >>> 16;
  return x;
}

const gens = new Map<i32, Gen>();
let nextGen: i32 = 1;

export function rngCreate(seed: u32): i32 { const id = nextGen++; gens.set(id, new Gen(seed)); return id; }
export function rngRelease(id: i32): void { if (gens.has(id)) gens.delete(id); }
export function rngHas(id: i32): bool { return gens.has(id); }

export function fillUniform(id: i32, dst: usize, n: i32, lo: f32, hi: f32): void {
  const g = gens.get(id);
  const w = hi - lo;
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), lo + w * g.uniform());
}

export function fillNormal(id: i32, dst: usize, n: i32, mean: f64, std: f64, truncated: bool): void {
  const g = gens.get(id);
  for (let i = 0; i < n; i++) {
    let z = g.normal();
    if (truncated) while (Math.abs(z) > 2.0) z = g.normal(); // resample beyond 2 standard deviations
    store<f32>(dst + (<usize>i << 2), <f32>(mean + std * z));
  }
}
