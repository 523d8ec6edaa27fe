// `pnpm release:dry`: packs @gradtape/core, gradtape and @gradtape/cli as `pnpm publish` would (after a build) and
// checks the tarballs (pack.mjs); prints each one's size and file count, and exits 1 if any check fails.
// Publishing itself: CONTRIBUTING.md, "Publishing".
import { packAll } from "./pack.mjs";

const results = packAll();
const kB = (b) => `${(b / 1000).toFixed(1)} kB`;
console.log("package           version  packed     unpacked   files  tarball");
for (const r of results) {
  console.log(`${r.name.padEnd(17)} ${r.version.padEnd(8)} ${kB(r.packedBytes).padEnd(10)} ${kB(r.unpackedBytes).padEnd(10)} ${String(r.files.length).padEnd(6)} ${r.tarball}`);
}
let bad = 0;
for (const r of results) for (const p of r.problems) { console.error(`${r.name}: ${p}`); bad++; }
console.log(bad === 0 ? "release:dry: all tarballs pass their checks" : `release:dry: ${bad} problem(s)`);
process.exitCode = bad === 0 ? 0 : 1;
