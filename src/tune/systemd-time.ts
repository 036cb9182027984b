/**
 * The two systemd value types the plan's tuning section carries, checked before anything is written:
 * - a time span (`healthInterval`, OnUnitActiveSec=), systemd.time(7) "Parsing Time Spans";
 * - a calendar event (`snapshotSchedule`, `trim.schedule`, OnCalendar=), systemd.time(7) "Calendar Events".
 * The span is parsed exactly here (pure). Calendar syntax is rich, so here only the character set is
 * checked (no newline, quote or specifier can reach a unit file); the tests run every rendered timer
 * through `systemd-analyze verify`, and `tune apply` asks `systemd-analyze calendar` when it exists.
 */
const SPAN_UNITS: [RegExp, number][] = [
  [/^(us|usec|µs)$/, 1],
  [/^(ms|msec)$/, 1e3],
  [/^(s|sec|second|seconds)$/, 1e6],
  [/^(m|min|minute|minutes)$/, 60e6],
  [/^(h|hr|hour|hours)$/, 3600e6],
  [/^(d|day|days)$/, 86400e6],
  [/^(w|week|weeks)$/, 7 * 86400e6],
  [/^(M|month|months)$/, 2629800e6],
  [/^(y|year|years)$/, 31557600e6],
];

/** Microseconds, or an error message. A bare number is seconds (as systemd reads it). */
export function parseTimespan(text: string): { usec: number } | { error: string } {
  const t = text.trim();
  if (!t) return { error: 'empty time span' };
  const re = /(\d+(?:\.\d+)?)\s*([A-Za-zµ]*)\s*/gy;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m || m[0].length === 0) return { error: `not a systemd time span: ${JSON.stringify(text)} (examples: "30s", "1min", "1h 30min")` };
    const n = Number(m[1]);
    const unit = m[2] ?? '';
    let mult = 1e6;
    if (unit) {
      const u = SPAN_UNITS.find(([r]) => r.test(unit));
      if (!u) return { error: `unknown time unit ${JSON.stringify(unit)} in ${JSON.stringify(text)} (use s, min, h, d, w)` };
      mult = u[1];
    }
    total += n * mult;
    pos = re.lastIndex;
  }
  return { usec: Math.round(total) };
}

const CALENDAR_RE = /^[A-Za-z0-9 :*,./~+-]{1,200}$/;

/** Undefined when acceptable as far as a pure check can tell, else the reason. */
export function calendarError(text: string): string | undefined {
  if (!CALENDAR_RE.test(text.trim()) || text.trim() !== text)
    return `not a systemd calendar event: ${JSON.stringify(text)} (examples: "hourly", "daily", "weekly", "*-*-* 02:30:00", "Mon *-*-* 03:00")`;
  return undefined;
}
