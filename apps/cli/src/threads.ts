// `--threads N` for every command: the number of kernel threads the core starts (ready({ threads })). The results
// are the same bits with any count; more threads pay off on large batches when cores are free.
import { ready, startedThreads, backendInfo, isReady, pinn } from "gradtape";
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

/** The help lines of gradtape pinn's --threads (default auto). */
export function pinnThreadsHelp(col: number): string {
  const pad = " ".repeat(col);
  return `${"      --threads N".padEnd(col)}kernel threads, 1 to ${MAX_THREADS} (the same results with any count). Default: auto, up\n` +
    `${pad}to ${pinn.AUTO_MAX_THREADS} when the job has at least ${pinn.MIN_THREAD_WORK.toLocaleString("en-US")} collocation points x widest layer\n` +
    `${pad}and cores are spare (cores - other processes' 1-minute load average; this\n` +
    `${pad}machine has ${os.availableParallelism()}), else 1`;
}

/**
 * Loads the core with `--threads` (parsed strictly) threads and returns that count. Without --threads: one thread,
 * or with `auto` (gradtape pinn) as many as pinn.train's "auto" may use (pinn.AUTO_MAX_THREADS, at most the
 * machine's cores), returning "auto": training then decides from the job's size and the load (pinn/thread-choice.ts).
 */
export async function readyWithThreads(text: string | undefined, auto = false): Promise<number | "auto"> {
  const threads = text !== undefined ? parseInteger(text, "--threads", 1, MAX_THREADS) : auto ? Math.min(os.availableParallelism(), pinn.AUTO_MAX_THREADS) : 1;
  if (isReady()) {
    // in-process callers (tests) that loaded the core already: it cannot be reloaded with another count
    const have = startedThreads();
    // (pinn sets the count per run, so any count up to the started one will do; other commands use them all)
    const fits = auto ? have >= threads : backendInfo().threads === threads;
    if (text !== undefined && !fits) throw new CliError(`--threads ${threads}: the core is already running with ${have} thread(s) in this process`);
    return text === undefined && auto ? "auto" : threads;
  }
  await ready({ threads });
  return text === undefined && auto ? "auto" : threads;
}
