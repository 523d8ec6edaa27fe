#!/usr/bin/env node
// The `gradtape` executable of the library package, so that `npx gradtape` (or a project that installed only
// `gradtape`) does not end in "could not determine executable to run". The command itself is @gradtape/cli (the
// library keeps no dependency on it): where it is installed (next to this package, or in the current project)
// this runs it with the same arguments; otherwise it says how to get it and exits with status 1.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ENTRY = "@gradtape/cli/bin/gradtape.js";
function findCli() {
  for (const from of [import.meta.url, pathToFileURL(join(process.cwd(), "package.json")).href]) {
    try { return createRequire(from).resolve(ENTRY); } catch { /* not installed there */ }
  }
  return null;
}

const cli = findCli();
if (cli) {
  await import(pathToFileURL(cli).href);
} else {
  process.stderr.write(
    "gradtape: this is the library package; the gradtape command is in @gradtape/cli.\n" +
    "  one-off:  npx @gradtape/cli derivatives --point 0.5,0.5\n" +
    "  install:  npm install --save-dev @gradtape/cli   (then npx gradtape ...)\n");
  process.exitCode = 1;
}
