import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      { test: { name: "core", root: "./packages/core", include: ["test/**/*.test.ts"] } },
      // the same core tests on core-relaxed.wasm: Node 20 runs relaxed SIMD only with this flag, and the loader's
      // default ("auto") then picks the relaxed build (test/simd-build.test.ts checks that it did)
      { test: { name: "core-relaxed", root: "./packages/core", include: ["test/**/*.test.ts"],
                execArgv: ["--experimental-wasm-relaxed-simd"], env: { GRADTAPE_EXPECT_SIMD: "relaxed" } } },
      // (60 s per test, as cli and integration: the PINN tests train for a second or two alone, and on a shared
      // machine at load 6 some of them went past vitest's default 5 s)
      { test: { name: "gradtape", root: "./packages/gradtape", include: ["test/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "cli", root: "./apps/cli", include: ["test/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "integration", root: "./test", include: ["integration/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "e2e", root: "./test", include: ["e2e/**/*.e2e.test.ts"], testTimeout: 120_000 } },
      // the packed tarballs installed into fixture projects (Node, TypeScript, Vite, webpack, esbuild, Bun): needs a
      // build and the npm registry; about 2 minutes (test/consumers/consumers.test.ts)
      { test: { name: "consumers", root: "./test", include: ["consumers/**/*.test.ts"], testTimeout: 180_000, hookTimeout: 300_000 } },
    ],
  },
});
