// Option parsing on node:util parseArgs, with every failure turned into a one-line CliError that names the option.
// parseArgs runs non-strict with tokens so that the checks (and their messages) are ours: unknown options, a missing
// value, a value given to a flag, an option repeated that may appear once, stray positional arguments. A value that
// starts with a dash is accepted when it is a number (`--point -0.5,1`), refused when it looks like an option
// (`--weights --json`).
import { parseArgs } from "node:util";
import { CliError } from "./errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** how the value is shown in messages, e.g. FILE */
  valueName?: string;
}
export type OptionSpecs = Record<string, OptionSpec>;

export type ParsedOptions<S extends OptionSpecs> = {
  -readonly [K in keyof S]: S[K]["type"] extends "boolean" ? boolean : S[K]["multiple"] extends true ? string[] : string | undefined;
};

/** Looks like an option rather than a value: --name, or -x with a letter (a negative number is a value). */
function looksLikeOption(s: string): boolean {
  return s.startsWith("--") || /^-[A-Za-z]/.test(s);
}

export function parseOptions<S extends OptionSpecs>(argv: readonly string[], specs: S, command: string): ParsedOptions<S> {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, s] of Object.entries(specs)) {
    // parseArgs rejects keys present with the value undefined
    options[name] = { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  }
  const { tokens } = parseArgs({ args: argv.slice(), options, strict: false, allowPositionals: true, tokens: true });
  const seeHelp = `see gradtape ${command} --help`;
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(specs)) out[name] = s.type === "boolean" ? false : s.multiple ? [] : undefined;
  const seen = new Set<string>();
  let afterTerminator = false;
  for (const tok of tokens ?? []) {
    if (tok.kind === "option-terminator") { afterTerminator = true; continue; }
    if (tok.kind === "positional") {
      throw new CliError(`unexpected argument ${JSON.stringify(tok.value)} for "gradtape ${command}"${afterTerminator ? " (after --)" : ""}; ${seeHelp}`);
    }
    const spec = specs[tok.name];
    // parseArgs maps short options it does not know to their letter; show what the user typed
    if (!spec || (tok.rawName.length === 2 && tok.rawName[1] !== "-" && spec.short !== tok.rawName[1])) {
      throw new CliError(`unknown option ${tok.rawName} for "gradtape ${command}"; ${seeHelp}`);
    }
    const display = `--${tok.name}`;
    if (spec.type === "boolean") {
      if (tok.value !== undefined) throw new CliError(`option ${display} takes no value, but got ${JSON.stringify(tok.value)}; ${seeHelp}`);
      out[tok.name] = true;
      continue;
    }
    const want = spec.valueName ?? "VALUE";
    if (tok.value === undefined || (!tok.inlineValue && looksLikeOption(tok.value))) {
      const after = tok.value === undefined ? "nothing follows it" : `it is followed by the option ${tok.value}`;
      throw new CliError(`option ${display} needs a value (${display} ${want}), but ${after}; ${seeHelp}`);
    }
    if (spec.multiple) (out[tok.name] as string[]).push(tok.value);
    else {
      if (seen.has(tok.name)) throw new CliError(`option ${display} was given more than once; give it once`);
      out[tok.name] = tok.value;
    }
    seen.add(tok.name);
  }
  return out as ParsedOptions<S>;
}

/** A decimal number: optional sign, digits with an optional fraction, an optional decimal exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A finite number written in decimal, or a CliError naming `what`. Stricter than JavaScript's Number(): no hex, octal
 * or binary (`0x10` is an error, not 16), no Infinity, nothing after the number, nothing empty; surrounding spaces
 * are allowed.
 */
export function parseNumber(text: string, what: string): number {
  const s = text.trim();
  const v = DECIMAL.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v)) throw new CliError(`${what}: expected a finite decimal number, got ${JSON.stringify(text)}`);
  return v;
}

/** An integer in [min, max], or a CliError naming `what`. */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  const s = text.trim();
  const v = /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new CliError(`${what}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return v;
}
