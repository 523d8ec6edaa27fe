// The Python venv of the native peers: made (python3.11 -m venv) and filled from requirements.txt (pinned) on the
// first run, and again whenever requirements.txt changes (its hash is kept in the venv). Uses pip as the machine
// has it configured (index, mirrors, certificates).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const VENV = path.join(HERE, ".venv");
export const PYTHON = path.join(VENV, "bin", "python");

export function ensureVenv(log) {
  const req = readFileSync(path.join(HERE, "requirements.txt"));
  const hash = createHash("sha256").update(req).digest("hex");
  const stamp = path.join(VENV, ".requirements-sha256");
  if (existsSync(PYTHON) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  const python = process.env.PEERS_PYTHON ?? "python3.11";
  log(`peers: creating ${path.relative(process.cwd(), VENV)} with ${python} and installing requirements.txt (minutes)...`);
  rmSync(VENV, { recursive: true, force: true });
  execFileSync(python, ["-m", "venv", VENV], { stdio: "inherit" });
  execFileSync(PYTHON, ["-m", "pip", "install", "-r", path.join(HERE, "requirements.txt")], { stdio: ["ignore", "inherit", "inherit"] });
  writeFileSync(stamp, hash);
}
