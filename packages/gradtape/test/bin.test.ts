import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

// The library's `gradtape` executable (what `npx gradtape` runs): without @gradtape/cli reachable (this workspace's
// gradtape does not depend on it, and a temporary folder has none) it says where the command is and exits 1. That it
// runs the CLI when installed next to it is checked from the tarballs by test/consumers/. NODE_PATH is cleared:
// pnpm's bin shims (npx vitest) set it to the workspace's hoisted packages, @gradtape/cli among them.
describe("gradtape's bin", () => {
  it("without @gradtape/cli: names the package and the one-off command, exit status 1", () => {
    const bin = fileURLToPath(new URL("../bin/gradtape.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "derivatives"], { cwd: tmpdir(), encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/the gradtape command is in @gradtape\/cli/);
    expect(r.stderr).toMatch(/npx @gradtape\/cli derivatives/);
  });
});
