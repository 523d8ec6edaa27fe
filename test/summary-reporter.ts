import type { Reporter, TestModule } from "vitest/node";

// The CI log reader does not know vitest's summary; it reads this one line.
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0, failed = 0, skipped = 0;
    for (const m of modules) {
      const tests = [...m.children.allTests()];
      for (const t of tests) {
        const s = t.result().state;
        if (s === "passed") passed++;
        else if (s === "failed") failed++;
        else skipped++;
      }
      // a file that failed to load, or whose beforeAll failed (vitest then reports its tests as skipped)
      if (m.state() === "failed" && !tests.some((t) => t.result().state === "failed")) failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
