// What every loader shares (loader.js for Node, loader-browser.js for browsers and other runtimes): checking the
// options, choosing the build (relaxed SIMD or not), fetching a .wasm with errors that say what failed, and the
// single-threaded instantiation. No file here imports a `node:` module, so bundlers can take it anywhere.
import { instantiate } from "./build/core.js";

/** The most threads ready({ threads }) accepts: more than any machine this was measured on has cores, and each
 *  worker costs a thread and an instance of the core. */
export const MAX_THREADS = 64;
/** Where loader.js (Node) and threads.js (browsers) register the threaded loader (so loader-browser.js never imports it). */
export const THREADS = Symbol.for("gradtape.core.threads");

const OPTION_KEYS = ["threads", "simd"];
const SIMD_MODES = ["auto", "relaxed", "baseline"];

// The smallest module that uses relaxed SIMD: one function () -> v128 computing
// f32x4.relaxed_madd(i8x16.splat(0), i8x16.splat(0), i8x16.splat(0)) (opcode 0xfd 0x105, LEB128 85 02).
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: [] -> [v128]
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, //                   code section: one body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, // 3 x (i32.const 0, i8x16.splat)
  0xfd, 0x85, 0x02, 0x0b, //                         f32x4.relaxed_madd, end
]);

let relaxedOk = null;
/** Whether this engine accepts relaxed SIMD (checked once). */
export function relaxedSimdSupported() {
  if (relaxedOk === null) { try { relaxedOk = WebAssembly.validate(RELAXED_PROBE); } catch { relaxedOk = false; } }
  return relaxedOk;
}

const show = (v) => (typeof v === "string" ? JSON.stringify(v) : typeof v === "bigint" ? `${v}n` : String(v));

/**
 * What is wrong with a load options object, as one sentence (what, expected, given, how to fix), or null if nothing.
 * gradtape's ready() turns it into an ArgumentError; loadCore throws it as a TypeError or RangeError.
 */
export function optionsProblem(options, where = "loadCore") {
  if (options === undefined) return null;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    return { type: TypeError, message: `${where}: options must be an object like { threads: 2, simd: "auto" }; given ${show(options)}.` };
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      return { type: TypeError, message: `${where}: unknown option ${JSON.stringify(key)}; the options are ${OPTION_KEYS.map((k) => JSON.stringify(k)).join(" and ")}. Check its spelling.` };
    }
  }
  const { threads, simd } = options;
  if (threads !== undefined && (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)) {
    return { type: typeof threads === "number" ? RangeError : TypeError,
      message: `${where}: options.threads must be an integer from 1 to ${MAX_THREADS}; given ${show(threads)}. Use 1 (the default) for no worker threads.` };
  }
  if (simd !== undefined && !SIMD_MODES.includes(simd)) {
    return { type: TypeError, message: `${where}: options.simd must be one of "auto", "relaxed", "baseline"; given ${show(simd)}. Omit it for "auto".` };
  }
  return null;
}

/** Checks the options (throws) and returns { threads, relaxed }: relaxed is whether to load the relaxed build. */
export function resolveOptions(options) {
  const problem = optionsProblem(options);
  if (problem) throw new problem.type(`gradtape core: ${problem.message}`);
  const threads = options?.threads ?? 1;
  const simd = options?.simd ?? "auto";
  if (simd === "baseline") return { threads, relaxed: false };
  const ok = relaxedSimdSupported();
  if (simd === "relaxed" && !ok) {
    throw new Error("gradtape core: options.simd is \"relaxed\" but this WebAssembly engine does not support relaxed SIMD " +
      "(Node 20 needs --experimental-wasm-relaxed-simd; Chromium has it since version 114). " +
      "Use { simd: \"auto\" } to fall back to the SIMD build.");
  }
  return { threads, relaxed: ok };
}

/** Whether a module imports its memory (the threaded core) rather than defining it. */
export const importsMemory = (m) => WebAssembly.Module.imports(m).some((i) => i.kind === "memory");

/** Any thrown value as an Error whose message says what failed (a worker's `error` event is not an Error). */
export function asError(e, what) {
  if (e instanceof Error) return e.message.startsWith("gradtape") ? e : new Error(`gradtape core: ${what}: ${e.message}`, { cause: e });
  const detail = e && typeof e === "object" && "message" in e && e.message ? e.message : e && typeof e === "object" && "type" in e ? `a "${e.type}" event` : String(e);
  return new Error(`gradtape core: ${what}: ${detail}`, { cause: e });
}

/**
 * Compiles the .wasm at url: read from disk by readLocal for file: URLs (Node), else fetched. A failed fetch says
 * which URL and status: typically a bundler that did not emit the file (see the README's bundler section).
 */
export async function compileUrl(url, readLocal) {
  const href = String(url);
  if (readLocal && href.startsWith("file:")) {
    let bytes;
    try { bytes = await readLocal(url); } catch (e) { throw asError(e, `reading ${href}`); }
    return WebAssembly.compile(bytes);
  }
  let res;
  try { res = await fetch(url); } catch (e) { throw asError(e, `fetching ${href}`); }
  if (!res.ok) {
    throw new Error(`gradtape core: fetching ${href} answered HTTP ${res.status} ${res.statusText}: the .wasm files of ` +
      "@gradtape/core must be served next to the code that loads them (see the README's section on bundlers).");
  }
  try { return await WebAssembly.compile(await res.arrayBuffer()); } catch (e) { throw asError(e, `compiling ${href}`); }
}

function serial() { throw new Error("gradtape core: parallelFor called without worker threads"); }

/** Instantiates a single-threaded core module. */
export function instantiateSerial(module) {
  if (importsMemory(module)) throw new Error("gradtape core: a threaded core module needs { threads: n > 1 } and SharedArrayBuffer");
  return instantiate(module, { env: { parallelFor: serial } });
}
