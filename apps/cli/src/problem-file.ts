// `gradtape pinn ./my-problem.mjs`: a problem the user wrote, in a JavaScript module (.mjs, .js, .cjs; TypeScript
// compiled by the user first). The module exports a problem made with pinn.defineProblem (the default export, or
// a named export `problem`), or the plain statement object that defineProblem takes (then the file needs no import
// of gradtape at all, and so cannot pick up a second copy of it). Anything else is an error naming the file and
// what it exports.
import { existsSync, statSync } from "node:fs";
import { resolve, extname } from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "node:module";
import { pinn } from "gradtape";
import { CliError, describeValue } from "./errors.js";

/** Whether a `gradtape pinn` argument names a file rather than a built-in problem. */
export function looksLikeFile(arg: string): boolean {
  return /[/\\]/.test(arg) || /\.(m?js|cjs|ts|mts|cts)$/i.test(arg);
}

const isProblem = (v: unknown): v is pinn.Problem =>
  v !== null && typeof v === "object" && Array.isArray((v as pinn.Problem).vars) && Array.isArray((v as pinn.Problem).conditions) &&
  typeof (v as pinn.Problem).residual === "function" && typeof (v as pinn.Problem).reference === "function";
const isStatement = (v: unknown): v is pinn.ProblemSpec =>
  v !== null && typeof v === "object" && typeof (v as pinn.ProblemSpec).residual === "function" && typeof (v as pinn.ProblemSpec).domain === "object";

function describeExports(mod: Record<string, unknown>): string {
  const names = Object.keys(mod);
  if (names.length === 0) return "it exports nothing";
  return `it exports ${names.slice(0, 8).map((n) => `${n === "default" ? "a default export" : n} (${describeValue(mod[n]).replace(/^the /, "")})`).join(", ")}${names.length > 8 ? ", ..." : ""}`;
}

let redirected = false;
/**
 * Makes `import ... from "gradtape"` in a problem file load the CLI's own gradtape, wherever the file is: a file
 * outside any project (no node_modules) can import it, and a project with another copy of gradtape cannot end up
 * with two cores (tensors of one passed to the ops of the other, whose core was never loaded). A module resolve
 * hook (node:module register, Node >= 20.6) for the bare names "gradtape" and "gradtape/threads".
 */
function redirectGradtape(): void {
  if (redirected) return;
  redirected = true;
  const map = { gradtape: import.meta.resolve("gradtape"), "gradtape/threads": import.meta.resolve("gradtape/threads") };
  const hooks = `const map = ${JSON.stringify(map)};
export async function resolve(specifier, context, next) {
  return Object.prototype.hasOwnProperty.call(map, specifier) ? { url: map[specifier], shortCircuit: true } : next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/** Imports a problem file and returns its problem. */
export async function loadProblemFile(arg: string): Promise<pinn.Problem> {
  const file = resolve(arg);
  if (!existsSync(file)) throw new CliError(`pinn: problem file ${arg} does not exist (a built-in problem is named without a path: ${Object.keys(pinn.problems.problems).join(", ")})`);
  if (!statSync(file).isFile()) throw new CliError(`pinn: ${arg} is not a file`);
  const ext = extname(file).toLowerCase();
  if (ext === ".ts" || ext === ".mts" || ext === ".cts") {
    throw new CliError(`pinn: ${arg} is TypeScript, which Node 20 cannot run; compile it first (e.g. npx tsc ${arg}) and pass the .js file`);
  }
  let mod: Record<string, unknown>;
  redirectGradtape();
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`pinn: cannot load the problem file ${arg}: ${(e as Error).message}`);
  }
  for (const key of ["default", "problem"]) {
    const v = mod[key];
    let p: pinn.Problem | null = null;
    if (isProblem(v)) p = v;
    else if (isStatement(v)) {
      try { p = pinn.defineProblem(v); } catch (e) { throw new CliError(`pinn: the problem in ${arg} (export ${key}): ${(e as Error).message}`); }
    }
    if (p === null) continue;
    // a membership test for a non-box geometry, exported beside the problem or in the statement: the report's
    // maps are masked outside it
    const inside = [mod.inside, (v as { inside?: unknown }).inside].find((f) => typeof f === "function");
    return inside && typeof (p as { inside?: unknown }).inside !== "function" ? Object.freeze({ ...p, inside }) : p;
  }
  throw new CliError(`pinn: ${arg} does not export a problem: export one made with pinn.defineProblem({...}) as the default export or as \`problem\` (or export the statement object itself); ${describeExports(mod)}`);
}
