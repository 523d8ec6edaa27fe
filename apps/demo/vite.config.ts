// Vite config for the gradtape demo. COOP/COEP make the page cross-origin isolated (SharedArrayBuffer, and the
// threaded core later); both the dev server and `vite preview` send them and listen on 127.0.0.1 only.
import { defineConfig } from "vite";

const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  base: "./",
  server: { headers: isolation, host: "127.0.0.1" },
  preview: { headers: isolation, host: "127.0.0.1" },
  // The training worker imports gradtape (and through it the wasm loader): it must be an ES module worker.
  worker: { format: "es" },
  build: { target: "es2022" },
});
