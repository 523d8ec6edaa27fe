// Locates the peer libraries. They are devDependencies of the bench package (@gradtape/bench,
// test/bench/package.json, pinned) and resolve from here by default; BENCH_PEERS_DIR (a scratch
// `npm i` outside the repo, e.g. /tmp/benchpeers) is searched after it, e.g. for a checkout that
// has not run `pnpm install`.
import { createRequire } from "node:module";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const bases = [import.meta.url];
if (process.env.BENCH_PEERS_DIR) bases.push(pathToFileURL(path.resolve(process.env.BENCH_PEERS_DIR) + "/").href);

/**
 * The package's root directory (where its package.json is), searched like Node does from each
 * base, or from inside package `from` (pnpm does not hoist a peer's own dependencies).
 */
export function peerDir(name, from) {
  // realpath: under pnpm a package's own dependencies sit beside its real directory, not its link
  const starts = from ? [pathToFileURL(realpathSync(peerDir(from)) + "/").href] : bases;
  for (const base of starts) {
    for (const nm of createRequire(base).resolve.paths(name) ?? []) {
      const dir = path.join(nm, name);
      if (existsSync(path.join(dir, "package.json"))) return dir;
    }
  }
  throw new Error(`cannot find ${name}: run \`npx -y pnpm@10.34.8 install\` (it is a devDependency of @gradtape/bench) or set BENCH_PEERS_DIR to a scratch install`);
}

/** Import a peer by name, choosing its Node ESM entry the way Node would (exports.import, else main). */
export async function importPeer(name) {
  const dir = peerDir(name);
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  const dot = pkg.exports?.["."];
  const entry = (typeof dot === "string" ? dot : dot?.import ?? dot?.default) ?? pkg.main ?? "index.js";
  return import(pathToFileURL(path.join(dir, entry)).href);
}
