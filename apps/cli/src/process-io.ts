// The process's own Io (command.ts): stdout, stderr, standard input as bytes, whether stderr is a terminal. Its own
// file so that commands can use it without importing main.ts (which imports the commands).
import type { Io } from "./command.js";
import { readBounded } from "./bounded-read.js";

/** Standard input, bounded like a weights file (an endless pipe fails at the limit instead of filling memory). */
function readStdin(): Promise<Uint8Array> {
  return readBounded(process.stdin, "weights on standard input");
}

let guarded = false;
/** A reader that closes the pipe early (`gradtape derivatives | head -1`) ends the run quietly, not with a stack. */
function guardStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    process.stderr.write(`gradtape: cannot write the output: ${e.message}\n`);
    process.exit(1);
  });
}

export const processIo: Io = {
  stdout: (s: string): void => { guardStdout(); process.stdout.write(s); },
  stderr: (s: string): void => { process.stderr.write(s); },
  readStdin,
  get isTTY(): boolean { return process.stderr.isTTY === true; },
};
