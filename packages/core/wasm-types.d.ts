// WebAssembly types that compile whatever the program's lib: the real ones where it declares them (lib "DOM", or an
// @types/node that does), a structural stand-in otherwise (lib ES2022 with an @types/node that has no WebAssembly
// namespace). The build (scripts/build.mjs) rewrites the generated build/core.d.ts to use these.
type Global = typeof globalThis;
/** WebAssembly.Module where the program's lib declares it, else any object. */
export type WasmModule = Global extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;
/** WebAssembly.Memory where the program's lib declares it, else its shape as the core uses it. */
export type WasmMemory = Global extends { WebAssembly: { Memory: { prototype: infer M } } } ? M
  : { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(delta: number): number };
