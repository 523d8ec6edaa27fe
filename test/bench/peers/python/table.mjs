// The native-peers table: per case and thread count, every row's median (and the same from CPU time, which shows
// when a "one thread" framework used more), and how many times gradtape's best variant at that thread count is
// faster (> 1: gradtape wins; < 1: the peer wins).
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3));

export function peersTable(rows) {
  const out = ["| case | threads | library | variant | median ms (by CPU time) | peer / gradtape best | check (and each round's median) |",
    "| --- | ---: | --- | --- | ---: | ---: | --- |"];
  const cases = [...new Set(rows.map((r) => r.case))].filter((c) => c !== "(all)");
  const threads = [...new Set(rows.map((r) => r.threads))].sort();
  for (const c of [...cases, "(all)"]) for (const n of threads) {
    const group = rows.filter((r) => r.case === c && r.threads === n);
    const ok = (r) => r.status === "ok" && typeof r.value === "number";
    const base = group.filter((r) => ok(r) && r.library.startsWith("gradtape")).sort((a, b) => a.value - b.value)[0];
    const sorted = [...group.filter((r) => r.library.startsWith("gradtape")), ...group.filter((r) => !r.library.startsWith("gradtape"))];
    for (const r of sorted) {
      const cpu = r.timing?.cpuMedian != null ? ` (${fmt(r.timing.cpuMedian)})` : "";
      const ratio = ok(r) && base ? (r === base ? "1 (gradtape best)" : `${fmt(r.value / base.value)}×`) : "—";
      const rounds = r.roundValues ? `; rounds ${r.roundValues.map(fmt).join(" / ")}` : "";
      const check = r.status === "ok" ? `ok (${r.check}${rounds})` : `**${r.status.toUpperCase()}**: ${r.check ?? ""}`;
      out.push(`| ${c} | ${n} | ${r.library} | ${r.variant} | ${ok(r) ? fmt(r.value) + cpu : "—"} | ${ratio} | ${check.replace(/\|/g, "\\|")} |`);
    }
  }
  return out.join("\n");
}
