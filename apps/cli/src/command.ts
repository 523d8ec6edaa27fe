// What a command is. To add one (e.g. `gradtape pinn`): write src/commands/pinn.ts exporting a Command, and list it in
// COMMANDS in src/main.ts. Commands write through `io` (never console.*) so that tests can run them in-process.

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** reads all of standard input (used by `--weights -`): bytes, or text (as tests give it) */
  readStdin(): Promise<Uint8Array | string>;
  /** whether stderr is a terminal (progress bars); absent means no */
  readonly isTTY?: boolean;
}

export interface Command {
  /** the word after `gradtape` */
  readonly name: string;
  /** one line for `gradtape --help` */
  readonly summary: string;
  /** the full text of `gradtape <name> --help` */
  readonly help: string;
  /** runs the command on the arguments after its name; resolves to the exit code. Throw CliError for user errors. */
  run(argv: readonly string[], io: Io): Promise<number>;
}
