// `--threads N` for every command: the number of kernel threads the core starts (ready({ threads })). The results
// are the same bits with any count; more threads pay off on large batches when cores are free.
import { ready, backendInfo, isReady } from "gradtape";
import * as os from "node:os";
import { parseInteger } from "./args.js";
import { CliError } from "./errors.js";

/** The highest thread count accepted (the core's workers share one 4 GiB memory; more than this only contends). */
export const MAX_THREADS = 64;

export const THREADS_OPTION = { threads: { type: "string", valueName: "N" } } as const;

/** The help lines of --threads, its description starting at column `col` (as the command's other options). */
export function threadsHelp(col: number): string {
  const pad = " ".repeat(col);
  return `${"      --threads N".padEnd(col)}kernel threads, 1 to ${MAX_THREADS} (default 1): the same results; faster on large\n` +
    `${pad}batches when cores are free (this machine has ${os.availableParallelism()})`;
}

/** Loads the core with `--threads` (parsed strictly) threads. */
export async function readyWithThreads(text: string | undefined): Promise<void> {
  const threads = text === undefined ? 1 : parseInteger(text, "--threads", 1, MAX_THREADS);
  if (isReady()) {
    // in-process callers (tests) that loaded the core already: it cannot be reloaded with another count
    const have = backendInfo().threads;
    if (text !== undefined && have !== threads) throw new CliError(`--threads ${threads}: the core is already running with ${have} thread(s) in this process`);
    return;
  }
  await ready({ threads });
}
