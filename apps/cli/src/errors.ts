// Errors the CLI reports to the user. A CliError is an expected failure (bad usage, bad input file, bad point): it is
// printed as ONE line on stderr, `gradtape: <message>`, and the process exits with its code (2 by default). Anything
// else that escapes a command is reported the same way in one line, with exit code 1; the stack trace is printed only
// when GRADTAPE_DEBUG is set.
import { GradtapeError } from "gradtape";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = "CliError";
  }
}

/** A plain, one-line description of a JSON-ish value, for "expected ..., got ..." messages. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (typeof v === "string") return `the string ${clip(JSON.stringify(v), 40)}`;
  if (typeof v === "number") return Number.isFinite(v) ? `the number ${v}` : String(v);
  if (typeof v === "boolean") return `the boolean ${v}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "object") return "an object";
  return typeof v;
}

/** Collapses whitespace (so a message is one line) and clips it to `max` characters. */
export function oneLine(s: string, max = 400): string {
  return clip(s.replace(/\s+/g, " ").trim(), max);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

/** Reports an error as one line on stderr and returns the exit code. */
export function reportError(e: unknown, stderr: (s: string) => void): number {
  const debug = typeof process !== "undefined" && !!process.env.GRADTAPE_DEBUG;
  if (e instanceof CliError) {
    stderr(`gradtape: ${oneLine(e.message)}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  const kind = e instanceof GradtapeError ? e.name : "internal error";
  stderr(`gradtape: ${kind}: ${oneLine(msg)}${debug ? "" : " (set GRADTAPE_DEBUG=1 to see the stack trace)"}\n`);
  if (debug && e instanceof Error && e.stack) stderr(`${e.stack}\n`);
  return EXIT_FAILURE;
}
