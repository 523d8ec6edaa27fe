// Every way to give bad input ends the same way: exit code 2, nothing on stdout, ONE line on stderr that starts with
// `gradtape: ` and names the problem (file, JSON path with the layer index and field, expected vs given), never a
// stack trace. Checked on the built CLI (subprocess) and on main() in-process.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runCli, runCliAsync, runMain, expectOneLineError, BIN } from "./helpers.js";
import { reportError, CliError } from "../src/errors.js";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "gradtape-cli-err-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const L0 = { kernel: [[1, 2, 3], [4, 5, 6]], bias: [0, 0, 0], activation: "tanh" };
const L1 = { kernel: [[1], [2], [3]], bias: [0.5], activation: "sigmoid" };
const layers = (...ls: unknown[]) => JSON.stringify({ weights: { layers: ls } });

// [name, file content, ...what the message must mention]. The file is parsed by gradtape's io (the library's one
// set of rules for the format); the CLI adds the network's shape: 2 inputs (x, t), 1 output.
const FILE_CASES: [string, string, ...(string | RegExp)[]][] = [
  ["empty file", "", "the file is empty", "JSON weights or safetensors"],
  ["truncated JSON", '{"layers": [1,', "not valid JSON", "end of JSON input"],
  ["JSON with a bad token on line 2", '{\n  "layers": nope\n}', "not valid JSON", "Unexpected token"],
  ["trailing comma", '{"layers": [],}', "not valid JSON", "position 14"],
  ["top level is an array", "[]", "expected an object", '{ "weights": { "layers": [...] } }', "got []"],
  ["top level is a number", "42", "expected an object", "got 42"],
  ["neither weights nor layers", '{"foo": 1, "bar": 2}', '{ "weights": { "layers": [...] } }', 'no "weights" key'],
  ["weights is not an object", '{"weights": [1]}', '"weights" has no "layers" array'],
  ["weights without layers", '{"weights": {}}', '"weights" has no "layers" array'],
  ["layers empty", '{"layers": []}', "layers is empty"],
  ["layers is an object", '{"layers": {}}', '{ "weights": { "layers": [...] } }'],
  ["a layer is a number", layers(5), "weights.layers[0] must be an object", "kernel, bias and activation", "it is 5"],
  ["missing kernel", layers({ bias: [0], activation: "tanh" }), "weights.layers[0].kernel must be a non-empty array of rows", "[in][out]", "undefined"],
  ["kernel is a string", layers({ ...L0, kernel: "abc" }, L1), "weights.layers[0].kernel must be a non-empty array", '"abc"'],
  ["first layer has 3 inputs", layers({ ...L0, kernel: [[1], [2], [3]], bias: [0] }), "weights.layers[0].kernel has 3 rows", "2 values x and t"],
  ["ragged kernel", layers({ ...L0, kernel: [[1, 2, 3], [4, 5]] }, L1), "weights.layers[0].kernel[1] has 2 values, expected 3"],
  ["kernel row is a number", layers({ ...L0, kernel: [[1, 2, 3], 7] }, L1), "weights.layers[0].kernel[1] must be an array of numbers", "it is 7"],
  ["kernel rows empty", layers({ ...L0, kernel: [[], []] }, L1), "weights.layers[0].kernel[0] is empty"],
  ["value is a string", layers({ ...L0, kernel: [[1, 2, 3], [4, "5", 6]] }, L1), "weights.layers[0].kernel[1][1] must be a finite number", '"5"'],
  ["value is null", layers(L0, { ...L1, kernel: [[1], [null], [3]] }), "weights.layers[1].kernel[1][0] must be a finite number", "null"],
  ["value is a boolean", layers(L0, { ...L1, bias: [true] }), "weights.layers[1].bias[0] must be a finite number", "true"],
  ["value is an array", layers({ ...L0, kernel: [[1, 2, [3]], [4, 5, 6]] }, L1), "weights.layers[0].kernel[0][2] must be a finite number", "[3]"],
  ["value overflows float32", layers({ ...L0, kernel: [[1, 2, 3], [4, 5, 1e39]] }, L1), "weights.layers[0].kernel[1][2] is 1e+39", "float32 range"],
  ["bias too short", layers({ ...L0, bias: [0, 0] }, L1), "weights.layers[0].bias has 2 values, expected 3"],
  ["bias is an object", layers(L0, { ...L1, bias: { a: 1 } }), "weights.layers[1].bias must be an array of numbers"],
  ["unknown activation", layers({ ...L0, activation: "gelu" }, L1), 'weights.layers[0].activation "gelu" is not a known activation'],
  ["activation is a number", layers(L0, { ...L1, activation: 3 }), "weights.layers[1].activation 3 is not a known activation"],
  ["layers do not chain", layers(L0, { ...L1, kernel: [[1], [2]] }), "weights.layers[1].kernel has 2 rows", "layer 0 has 3 outputs", "do not chain"],
  ["last layer has 3 units", layers(L0), "weights.layers[0] has 3 units", "must have 1 unit"],
  ["bare form, bad value", JSON.stringify({ layers: [{ kernel: [[1], ["x"]], bias: [0] }] }), "layers[0].kernel[1][0] must be a finite number", '"x"'],
];

// [name, arguments, ...what the message must mention]
const ARG_CASES: [string, string[], ...(string | RegExp)[]][] = [
  ["point with one value", ["--point", "1"], '--point "1"', "two numbers x,t", "one value"],
  ["point with three values", ["--point", "1,2,3"], '--point "1,2,3"', "3 values"],
  ["point x not a number", ["--point", "a,0.5"], '--point "a,0.5": x', 'got "a"'],
  ["point t not a number", ["--point", "0.5,b"], '--point "0.5,b": t', 'got "b"'],
  ["point t empty", ["--point", "0.5,"], ": t", 'got ""'],
  ["point NaN", ["--point", "NaN,1"], ": x", "finite decimal number"],
  ["point Infinity", ["-p", "1,Infinity"], ": t", "finite decimal number"],
  ["point in hexadecimal", ["--point", "0x10,1"], ": x", "finite decimal number", 'got "0x10"'],
  ["point in binary", ["--point", "1,0b1"], ": t", 'got "0b1"'],
  ["point with trailing garbage", ["--point", "1.5e2x,1"], ": x", 'got "1.5e2x"'],
  ["point with two signs", ["--point=--1,1"], ": x", 'got "--1"'],
  ["point overflows float32", ["--point=1e39,0"], "x = 1e+39", "float32 range"],
  ["bad point after good ones", ["-p", "0,0", "-p", "1;2"], '--point "1;2"'],
  ["point without value", ["--point"], "--point needs a value", "--point x,t"],
  ["point followed by an option", ["--point", "--json"], "--point needs a value", "followed by the option --json"],
  ["seed not a number", ["--seed", "abc"], "--seed", "integer from 0 to 4294967295", '"abc"'],
  ["seed negative", ["--seed", "-1"], "--seed", '"-1"'],
  ["seed fractional", ["--seed", "1.5"], "--seed", '"1.5"'],
  ["seed too large", ["--seed", "4294967296"], "--seed", '"4294967296"'],
  ["seed twice", ["--seed", "1", "--seed", "2"], "--seed was given more than once"],
  ["seed and weights", ["--seed", "1", "--weights", "w.json"], "--seed and --weights cannot be used together"],
  ["weights without value", ["--weights"], "--weights needs a value", "FILE"],
  ["weights followed by an option", ["--weights", "--json"], "--weights needs a value", "--json"],
  ["json with a value", ["--json=yes"], "--json takes no value", '"yes"'],
  ["unknown long option", ["--points", "1,2"], "unknown option --points", "gradtape derivatives --help"],
  ["unknown short option", ["-z"], "unknown option -z"],
  ["stray argument", ["0.5,0.5"], 'unexpected argument "0.5,0.5"'],
  ["argument after --", ["--", "x"], 'unexpected argument "x"', "after --"],
];

function filePath(name: string): string { return join(dir, `${name.replace(/\W+/g, "_")}.json`); }

describe("malformed weights files", () => {
  beforeAll(() => { for (const [name, content] of FILE_CASES) writeFileSync(filePath(name), content); });

  it.concurrent.each(FILE_CASES)("%s (subprocess)", async (name, _content, ...mentions) => {
    const file = filePath(name);
    expectOneLineError(await runCliAsync(["derivatives", "--weights", file]), `weights file ${file}: `, ...mentions);
  });

  it.each(FILE_CASES)("%s (in-process main)", async (name, _content, ...mentions) => {
    const file = filePath(name);
    expectOneLineError(await runMain(["derivatives", "--json", "--weights", file]), `weights file ${file}: `, ...mentions);
  });

  it("a missing file", () => {
    const file = join(dir, "does-not-exist.json");
    expectOneLineError(runCli(["derivatives", "--weights", file]), `weights file ${file}: cannot read it: no such file`);
  });

  it("a directory", () => {
    expectOneLineError(runCli(["derivatives", "--weights", dir]), `weights file ${dir}: cannot read it: it is a directory`);
  });

  it("bad JSON on standard input (--weights -)", () => {
    expectOneLineError(runCli(["derivatives", "--weights", "-"], { input: "{ nope" }), "weights on standard input: not valid JSON");
    expectOneLineError(runCli(["derivatives", "--weights", "-"], { input: "" }), "weights on standard input: the file is empty");
  });

  it("a file that is neither JSON nor safetensors, and a broken safetensors file", () => {
    const bin = join(dir, "weights.bin");
    writeFileSync(bin, Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 1, 2));
    expectOneLineError(runCli(["derivatives", "--weights", bin]), `weights file ${bin}: neither JSON weights nor safetensors`, "50 4b 03 04");
    const st = join(dir, "broken.safetensors");
    writeFileSync(st, Uint8Array.of(200, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22));
    expectOneLineError(runCli(["derivatives", "--weights", st]), `weights file ${st}: `, /header/);
  });

  it("first bytes that only look like a format are refused at once: a '{' not followed by a key, a '{' at byte 8 after an impossible header length", () => {
    // (what random bytes, /dev/urandom, start with 1 time in 130 and 1 in 256: such an input was read to the size limit)
    const brace = join(dir, "brace.bin");
    writeFileSync(brace, Uint8Array.of(0x7b, 0x01, 0xfe, 0x33, 0x90));
    expectOneLineError(runCli(["derivatives", "--weights", brace]), `weights file ${brace}: neither JSON weights nor safetensors`, "7b 01 fe 33 90");
    const huge = join(dir, "huge-header.bin");
    writeFileSync(huge, Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08, 0x7b, 0x22, 0x61, 0x22));
    expectOneLineError(runCli(["derivatives", "--weights", huge]), `weights file ${huge}: neither JSON weights nor safetensors`, "11 22 33 44 55 66 77 08");
    // JSON weights with whitespace before the first key are still weights (here: an empty network, refused as such)
    const spaced = join(dir, "spaced.weights");
    writeFileSync(spaced, '\ufeff  {\n\t "layers": []}');
    const r = runCli(["derivatives", "--weights", spaced]);
    expect(r.stderr).not.toMatch(/neither JSON weights nor safetensors/);
    expect(r.stderr).toMatch(new RegExp(`weights file ${spaced.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
  });

  it("a relative path is read from the working directory and named as given", () => {
    writeFileSync(join(dir, "rel.json"), "{}");
    expectOneLineError(runCli(["derivatives", "--weights", "rel.json"], { cwd: dir }), "weights file rel.json: ");
  });
});

describe("bad points and options", () => {
  it.concurrent.each(ARG_CASES)("%s (subprocess)", async (_name, args, ...mentions) => {
    expectOneLineError(await runCliAsync(["derivatives", ...args], { cwd: dir }), ...mentions);
  });

  it.each(ARG_CASES)("%s (in-process main)", async (_name, args, ...mentions) => {
    expectOneLineError(await runMain(["derivatives", ...args]), ...mentions);
  });

  it("a negative x may follow --point as its own argument", () => {
    const r = runCli(["derivatives", "--point", "-0.5,0.25", "-p", "-1,-2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).points.map((p: { x: number; t: number }) => [p.x, p.t])).toEqual([[-0.5, 0.25], [-1, -2]]);
  });
});

describe("commands and help", () => {
  it.each([
    ["no command", [], "no command given", "derivatives"],
    ["unknown command", ["derivative"], 'unknown command "derivative"', "derivatives"],
    ["unknown option before the command", ["--json"], "unknown option --json", "gradtape <command>"],
    ["help for an unknown command", ["help", "train"], 'unknown command "train"'],
  ])("%s: exit 2, one line", async (_name, args, ...mentions) => {
    expectOneLineError(runCli(args as string[]), ...(mentions as string[]));
    expectOneLineError(await runMain(args as string[]), ...(mentions as string[]));
  });

  it.each([
    [["--help"], "Usage: gradtape <command>"],
    [["-h"], "Usage: gradtape <command>"],
    [["help"], "Usage: gradtape <command>"],
    [["derivatives", "--help"], "Usage: gradtape derivatives"],
    [["derivatives", "-h", "--point", "1,2"], "Usage: gradtape derivatives"],
    [["help", "derivatives"], "Usage: gradtape derivatives"],
  ])("gradtape %j prints help on stdout, exit 0", (args, text) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(text);
  });

  it("the top-level help lists every command; --version prints the package version", () => {
    expect(runCli(["--help"]).stdout).toMatch(/^\s+derivatives\s+\S/m);
    const v = runCli(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("the help of derivatives documents every option and the JSON fields", () => {
    const help = runCli(["derivatives", "--help"]).stdout;
    for (const s of ["--point x,t", "--seed N", "--weights FILE", "--json", "d2f_dtdx", "linear, sigmoid, tanh, relu, sin, softplus"]) expect(help).toContain(s);
  });
});

describe("output", () => {
  it("a reader that closes the pipe early (| head -1) ends the run quietly: exit 0, no stack trace", async () => {
    const pts = Array.from({ length: 3000 }, (_, i) => `--point=${i / 3000},0.5`);
    const child = spawn(process.execPath, [BIN, "derivatives", ...pts], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

describe("reportError", () => {
  it("an unexpected error is one line with exit code 1, without the stack unless GRADTAPE_DEBUG is set", () => {
    let err = "";
    const saved = process.env.GRADTAPE_DEBUG;
    delete process.env.GRADTAPE_DEBUG;
    try {
      expect(reportError(new TypeError("boom\n  on two lines"), (s) => { err += s; })).toBe(1);
    } finally { if (saved !== undefined) process.env.GRADTAPE_DEBUG = saved; }
    expect(err).toMatch(/^gradtape: internal error: boom on two lines \(set GRADTAPE_DEBUG=1 to see the stack trace\)\n$/);
  });

  it("a CliError carries its exit code", () => {
    let err = "";
    expect(reportError(new CliError("nope", 3), (s) => { err += s; })).toBe(3);
    expect(err).toBe("gradtape: nope\n");
  });
});
