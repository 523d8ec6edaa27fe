// `import "gradtape/threads"` makes the threaded core available to ready({ threads: n }) in browsers (bundlers
// then ship core-mt.wasm and its worker; apps that do not import this ship neither). Node needs no import.
import "@gradtape/core/threads";
export {};
