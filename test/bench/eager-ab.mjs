// A/B of eager overhead between two builds of gradtape (issue 17, item 2), for a machine whose load changes from
// minute to minute: runs test/bench/eager-overhead.mjs of each checkout in its own process, alternating A, B, A, B
// (--rounds times), and prints per variant the median over processes of their wall-time and CPU-time medians, and
// B's speed-up over A. Each checkout must be built and hold the same eager-overhead.mjs.
//   node test/bench/eager-ab.mjs --a=/path/to/baseline/checkout [--b=this checkout] [--rounds=6] [--n=1,16]
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const argv = process.argv.slice(2);
const opt = (k, d) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const A = resolve(opt("a", "")), B = resolve(opt("b", fileURLToPath(new URL("../..", import.meta.url))));
const ROUNDS = +opt("rounds", 6), N = opt("n", "1,16");
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const load = () => loadavg().map((v) => v.toFixed(2)).join(" ");

console.log(`eager-ab: A = ${A}\n          B = ${B}\n${ROUNDS} rounds, load ${load()}`);
const runs = { A: [], B: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, root] of r % 2 ? [["B", B], ["A", A]] : [["A", A], ["B", B]]) {
    const out = execFileSync(process.execPath, [`${root}/test/bench/eager-overhead.mjs`, `--n=${N}`, "--rounds=3", "--ms=200", "--json"], { encoding: "utf8" });
    runs[k].push(JSON.parse(out.split("\n").find((l) => l.startsWith("JSON ")).slice(5)));
  }
}
for (const n of Object.keys(runs.A[0])) {
  for (const v of Object.keys(runs.A[0][n])) {
    const m = (k, f) => median(runs[k].map((j) => j[n][v][f]));
    console.log(`n=${n.padEnd(3)} ${v.padEnd(13)} wall A ${m("A", "wall").toFixed(2).padStart(6)} B ${m("B", "wall").toFixed(2).padStart(6)} µs (x${(m("A", "wall") / m("B", "wall")).toFixed(2)})` +
      `   cpu A ${m("A", "cpu").toFixed(2).padStart(6)} B ${m("B", "cpu").toFixed(2).padStart(6)} µs (x${(m("A", "cpu") / m("B", "cpu")).toFixed(2)})`);
  }
  const ratio = (k, f) => median(runs[k].map((j) => j[n]["tf-style"][f] / j[n]["tf-style-jit"][f]));
  console.log(`n=${n}: tf-style / tf-style-jit   A ${ratio("A", "wall").toFixed(2)}x (cpu ${ratio("A", "cpu").toFixed(2)}x)   B ${ratio("B", "wall").toFixed(2)}x (cpu ${ratio("B", "cpu").toFixed(2)}x)`);
}
console.log(`load after: ${load()}`);
