import type { BootIdentity } from '../results/types.ts';

/** The device's boot identity as `getuptime` reports it. */
export interface Uptime {
  text: string;
  ms: number;
  /** Resolution of `ms`: the vendor format counts minutes; a seconds number its decimals; `uptime_ms` 1 ms. */
  resolutionMs: number;
}

/** An uptime as read, with when the question left and the answer came back (ms, on the checker's clock). */
export interface UptimeReading extends Uptime {
  sentAtMs: number;
  answeredAtMs: number;
}

/** When a reboot, if there was one, could have started the host's clock (ms, on the readings' clock). */
export interface BootWindow {
  /** The device was last seen up (still the old boot) at or after this. */
  notBeforeMs: number;
  /** The device accepted connections again (the host had booted) by this. */
  notAfterMs: number;
}

const UNITS: Record<string, number> = {
  year: 365 * 86_400_000,
  week: 7 * 86_400_000,
  d: 86_400_000,
  day: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  天: 86_400_000,
  小时: 3_600_000,
  时: 3_600_000,
  分钟: 60_000,
  分: 60_000,
  秒: 1_000,
};

/**
 * Reads `getuptime`'s answer, the host's uptime as Linux `uptime` formats it (V6R2C01 查询系统运行时间: "SE主机系统运行时间,
 * 直接返回linux uptime命令格式化后的字符串"): the example's "3 hours, 57 minutes", `uptime -p`'s "up 1 week, 2 days, 3
 * hours, 57 minutes", plain `uptime`'s "10:15:32 up 2 days, 3:57, 2 users, …"; also a number of seconds (as
 * /proc/uptime has it, in a number or a string) and a precise `uptime_ms` where a device adds one.
 */
export function parseUptime(data: Record<string, unknown>): Uptime | undefined {
  const { uptime, uptime_ms: precise } = data;
  const text = typeof uptime === 'string' ? uptime : typeof uptime === 'number' ? String(uptime) : undefined;
  if (typeof precise === 'number' && Number.isFinite(precise) && precise >= 0) {
    return { text: text ?? `${precise} ms`, ms: precise, resolutionMs: 1 };
  }
  if (text === undefined) return undefined;
  return parseSeconds(text) ?? parseSpoken(text);
}

// "12345.67" (or "12345.67 23456.78", /proc/uptime's two numbers): seconds, as precise as their decimals.
function parseSeconds(text: string): Uptime | undefined {
  const m = /^\s*(\d+)(?:\.(\d+))?(?:\s+\d+(?:\.\d+)?)?\s*$/.exec(text);
  if (!m) return undefined;
  const decimals = Math.min(m[2]?.length ?? 0, 3);
  return { text, ms: Math.round(Number(`${m[1]}.${m[2] ?? '0'}`) * 1000), resolutionMs: 1000 / 10 ** decimals };
}

// Counted units and an h:mm(:ss) clock. In `uptime`'s line only what follows "up" counts: the wall clock comes
// before it and the users and load average after the next unit-less comma.
function parseSpoken(text: string): Uptime | undefined {
  const up = /\bup\b/i.exec(text);
  const span = (up ? text.slice(up.index + up[0].length) : text).split(/\d+\s+users?\b|load average/i)[0] ?? '';
  let ms = 0;
  let finest = Number.POSITIVE_INFINITY;
  for (const m of span.matchAll(
    /(\d+)\s*(years?|weeks?|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b/gi,
  )) {
    const word = (m[2] ?? '').toLowerCase();
    const unit = UNITS[word] ?? UNITS[word.replace(/s$/, '')] ?? 0;
    ms += Number(m[1]) * unit;
    finest = Math.min(finest, unit);
  }
  // The vendor's documents are Chinese: "3小时57分钟" is as likely an answer as the English example.
  for (const m of span.matchAll(/(\d+)\s*(天|小时|时|分钟|分|秒)/g)) {
    const unit = UNITS[m[2] ?? ''] ?? 0;
    ms += Number(m[1]) * unit;
    finest = Math.min(finest, unit);
  }
  const clock = /(\d+):(\d{2})(?::(\d{2}))?/.exec(span);
  if (clock) {
    ms += Number(clock[1]) * 3_600_000 + Number(clock[2]) * 60_000 + Number(clock[3] ?? 0) * 1_000;
    finest = Math.min(finest, clock[3] === undefined ? 60_000 : 1_000);
  }
  return Number.isFinite(finest) ? { text, ms, resolutionMs: finest } : undefined;
}

/**
 * What two uptime readings, one before a request and one after the device was back, say about the host (design
 * §5, HTTP-13). A host that rebooted inside the boot window (after the device was last seen up, before it accepted
 * connections again) reads no longer than the time since then: reading longer, it did not reboot (its clock kept
 * counting, or what answers now is another host that has been up all along). Reading short enough, it rebooted,
 * unless a clock that kept counting would read the same. Each reading's true value lies within its resolution and
 * the device read its clock somewhere between question and answer, so nothing is taken for more precise than it
 * is: a minute-counting device that booted seconds before the wipe and reboots in seconds reads "0 minutes" both
 * times, and that is said, never judged.
 */
export function judgeBootIdentity(before: UptimeReading, after: UptimeReading, boot: BootWindow): BootIdentity {
  const apartMin = after.sentAtMs - before.answeredAtMs;
  const apartMax = after.answeredAtMs - before.sentAtMs;
  // Two machines' clocks may run apart by a few hundred ppm; a millisecond of rounding on each side.
  const slack = 2 + apartMax * 1e-3;
  const counted = after.ms - before.ms;
  const tolerance = before.resolutionMs + after.resolutionMs + slack;
  const keptCounting = counted + tolerance >= apartMin && counted - tolerance <= apartMax;
  const sinceBootMin = after.sentAtMs - boot.notAfterMs;
  const sinceBootMax = after.answeredAtMs - boot.notBeforeMs;
  const afterTolerance = after.resolutionMs + slack;
  const upTooLong = after.ms - afterTolerance > sinceBootMax;
  const upTooShort = after.ms + afterTolerance < sinceBootMin;
  const readings = `${spoken(before)} before, ${spoken(after)} after, ${seconds(apartMin, apartMax)} apart`;
  if (upTooLong) {
    return {
      verdict: 'kept-counting',
      reason: keptCounting
        ? `the API restarted, the host did not: uptime kept counting (${readings})`
        : `the host did not reboot: what answers getuptime has been up ${spoken(after)}, longer than the ${seconds(sinceBootMax, sinceBootMax)} since the device was last seen up (${readings})`,
    };
  }
  if (upTooShort) {
    return {
      verdict: 'indeterminate',
      reason: `uptime started after the device was back (${readings}): it is not read as a boot identity`,
    };
  }
  if (!keptCounting) return { verdict: 'reset', reason: `uptime started again (${readings})` };
  return {
    verdict: 'indeterminate',
    reason: `uptime cannot tell a reboot from an API restart here (${readings}, counted in ${unit(Math.max(before.resolutionMs, after.resolutionMs))}): the reboot rests on down and up alone, not on uptime`,
  };
}

/** An uptime as a person says it, no finer than it was counted: `3 h 57 min`, `12.34 s`. */
export function spoken(u: Uptime): string {
  if (u.resolutionMs < 60_000 && u.ms < 60_000) {
    const decimals = u.resolutionMs >= 1_000 ? 0 : Math.min(3, Math.ceil(-Math.log10(u.resolutionMs / 1_000)));
    return `${(u.ms / 1_000).toFixed(decimals)} s`;
  }
  const minutes = Math.floor(u.ms / 60_000);
  const days = Math.floor(minutes / 1_440);
  const parts = [
    ...(days ? [`${days} d`] : []),
    ...(days || minutes >= 60 ? [`${Math.floor(minutes / 60) % 24} h`] : []),
    `${minutes % 60} min`,
    ...(u.resolutionMs < 60_000 ? [`${Math.floor((u.ms % 60_000) / 1_000)} s`] : []),
  ];
  return parts.join(' ');
}

function seconds(min: number, max: number): string {
  const lo = Math.max(0, min) / 1_000;
  const hi = max / 1_000;
  const digits = hi < 10 ? 1 : 0;
  return lo.toFixed(digits) === hi.toFixed(digits)
    ? `${hi.toFixed(digits)} s`
    : `${lo.toFixed(digits)}–${hi.toFixed(digits)} s`;
}

function unit(resolutionMs: number): string {
  if (resolutionMs >= 86_400_000) return 'days';
  if (resolutionMs >= 3_600_000) return 'hours';
  if (resolutionMs >= 60_000) return 'whole minutes';
  if (resolutionMs >= 1_000) return 'whole seconds';
  return `steps of ${resolutionMs} ms`;
}
