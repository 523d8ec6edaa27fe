// `import "gradtape/threads"` makes the threaded core available to ready({ threads: n }) in browsers (bundlers
// then ship core-mt.wasm and its worker; apps that do not import this ship neither, and ready({ threads: n > 1 })
// there is an error that says to import it). Node needs no import.
import "@gradtape/core/threads";
export {};
