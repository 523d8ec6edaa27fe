// Loads core.wasm in Node (from the file next to this one) or in a browser (fetch of the URL bundlers rewrite).
import { instantiate } from "./build/core.js";

export async function loadCore(source) {
  let module;
  if (source instanceof WebAssembly.Module) module = source;
  else {
    const url = source ?? new URL("./build/core.wasm", import.meta.url);
    const isNode = typeof process !== "undefined" && !!process.versions?.node;
    if (isNode && String(url).startsWith("file:")) {
      const { readFile } = await import(/* @vite-ignore */ "node:fs/promises");
      module = await WebAssembly.compile(await readFile(url));
    } else if (typeof WebAssembly.compileStreaming === "function") {
      module = await WebAssembly.compileStreaming(fetch(url));
    } else {
      module = await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    }
  }
  return instantiate(module, {});
}
