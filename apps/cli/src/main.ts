// The `gradtape` command: a small dispatcher. Each command is one file in src/commands/ exporting a Command; list it
// in COMMANDS below. main() never throws and never lets a stack trace reach the user: expected errors (CliError)
// print one line `gradtape: ...` on stderr with exit code 2.
import { readFileSync } from "node:fs";
import { CliError, EXIT_OK, reportError } from "./errors.js";
import type { Command, Io } from "./command.js";
import { processIo } from "./process-io.js";
import { derivatives } from "./commands/derivatives.js";
import { pinnCommand } from "./commands/pinn.js";

export type { Command, Io } from "./command.js";
export { CliError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";
export { processIo } from "./process-io.js";

export const COMMANDS: readonly Command[] = [derivatives, pinnCommand];

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: gradtape <command> [options]

gradtape: automatic differentiation for TypeScript on a WebAssembly SIMD core.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}

Options:
  -h, --help     show this help (gradtape <command> --help for a command's options)
  -V, --version  print the version
`;
}

/** Runs `gradtape <argv>` and resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const [first, ...rest] = argv;
    const names = COMMANDS.map((c) => c.name).join(", ");
    if (first === undefined) throw new CliError(`no command given; the commands are: ${names} (see gradtape --help)`);
    if (first === "-h" || first === "--help") { io.stdout(usage()); return EXIT_OK; }
    if (first === "-V" || first === "--version") { io.stdout(`${version()}\n`); return EXIT_OK; }
    if (first === "help") {
      const cmd = rest.length ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      if (rest.length && !cmd) throw new CliError(`unknown command ${JSON.stringify(rest[0])}; the commands are: ${names}`);
      io.stdout(cmd ? cmd.help : usage());
      return EXIT_OK;
    }
    if (first.startsWith("-")) throw new CliError(`unknown option ${first}; give a command first: gradtape <command> [options] (see gradtape --help)`);
    const cmd = COMMANDS.find((c) => c.name === first);
    if (!cmd) throw new CliError(`unknown command ${JSON.stringify(first)}; the commands are: ${names} (see gradtape --help)`);
    return await cmd.run(rest, io);
  } catch (e) {
    return reportError(e, io.stderr);
  }
}
