// `--out DIR` must never cost a run its result: the directory is made and probed for writing BEFORE training (so a
// typo or a read-only place fails in a second, not after an hour), and if writing still fails afterwards (the disk
// filled up, the directory was removed) the weights go to a fresh temporary directory whose path is printed.
import { mkdirSync, writeFileSync, unlinkSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { CliError } from "./errors.js";

/** Makes DIR and checks that a file can be written in it; a CliError naming DIR otherwise. */
export function prepareOutDir(dir: string): void {
  try { mkdirSync(dir, { recursive: true }); } catch (e) {
    throw new CliError(`--out ${JSON.stringify(dir)}: cannot create the directory (${(e as Error).message})`);
  }
  const probe = join(dir, `.gradtape-write-test-${process.pid}`);
  try { writeFileSync(probe, "ok"); unlinkSync(probe); } catch (e) {
    throw new CliError(`--out ${JSON.stringify(dir)}: cannot write in this directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another with --out`);
  }
}

/**
 * Writes files into `dir`; if any write fails, writes them all into a new temporary directory instead and
 * returns it with the error (or throws when that fails too, naming both). Returns where the files are.
 */
export function writeFilesSafely(dir: string, files: [name: string, data: string | Uint8Array][]): { dir: string; error: Error | null } {
  try {
    for (const [name, data] of files) writeFileSync(join(dir, name), data);
    return { dir, error: null };
  } catch (e) {
    let tmp: string;
    try {
      tmp = mkdtempSync(join(tmpdir(), "gradtape-rescue-"));
      for (const [name, data] of files) writeFileSync(join(tmp, name), data);
    } catch (e2) {
      throw new CliError(`cannot write the results to ${dir} (${(e as Error).message}) nor to a temporary directory (${(e2 as Error).message})`, 1);
    }
    return { dir: tmp, error: e as Error };
  }
}
