// Durations for people: one helper for every time the CLI prints (progress ETA, elapsed, the report). The value is
// rounded once, to whole seconds (or tenths under 10 s), before it is split into units, so a carry is never lost:
// 119.6 s prints "2m00s", not "1m60s".

/** 4.2 -> "4.2s", 59.6 -> "1m00s", 119.6 -> "2m00s", 3725 -> "1h02m05s"; "--" for an unknown (infinite/NaN) time. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--";
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m${ss}s` : `${m}m${ss}s`;
}
