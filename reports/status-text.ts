import type { CasePhase } from '../src/results/progress.ts';

/** What the status line says, before it is fitted to the terminal's width. */
export interface StatusParts {
  /** `[10/63]`. */
  count: string;
  /** The case shown (the longest in flight); absent between cases. */
  id?: string | undefined;
  /** Other cases in flight beside it. */
  others: number;
  phase?: CasePhase | undefined;
  /** `down 1.8 s after the answer`. */
  down?: string | undefined;
  /** Whole seconds in the phase. */
  inPhaseS?: number | undefined;
  /** The phase's window in whole seconds, when one applies and has not been overrun. */
  windowS?: number | undefined;
  /** `3:12`. */
  elapsed: string;
  /** `5 min`; undefined while estimating. */
  left?: string | undefined;
}

const PHASES: Record<CasePhase, [long: string, short: string]> = {
  'waiting-ready': ['waiting for the device to be ready', 'awaiting ready'],
  seeding: ['seeding state', 'seeding'],
  'finding-seed': ['reading the state seeded before', 'finding seed'],
  'wiping-clean': ['wiping the device clean first', 'wiping first'],
  sending: ['sending the request', 'sending'],
  'waiting-consumer': ["waiting for the device's MQ consumer", 'awaiting consumer'],
  publishing: ['publishing the command', 'publishing'],
  'waiting-reply': ['waiting for the reply', 'awaiting reply'],
  'watching-down': ['waiting for the device to go down', 'awaiting down'],
  'watching-quiet': ['watching that the device stays up', 'must stay up'],
  'waiting-up': ['waiting for the device to come back', 'rebooting'],
  'waiting-api': ['waiting for its API to be ready', 'awaiting API'],
  'reading-state': ['reading the state', 'reading state'],
  done: ['done', 'done'],
};

/** The shortest a case id is cut to (middle ellipsis) before the phase gives way instead. */
const MIN_ID = 12;

/**
 * The status line in at most `width` characters. What a person needs first stays whole: the count, the case
 * and its phase, the time spent and the time left. When the line is too wide, the words around them go first
 * (`elapsed`, the phase's details, the long phase wording), then the case id loses its middle; as a last resort
 * the times move to the front and the end of the line is cut, so they are never the part that is lost.
 */
export function fitStatus(parts: StatusParts, width = Number.POSITIVE_INFINITY): string {
  const times = [
    `${parts.elapsed} elapsed · ${parts.left === undefined ? 'estimating the time left' : `~${parts.left} left`}`,
    `${parts.elapsed} · ${parts.left === undefined ? 'estimating' : `~${parts.left} left`}`,
  ] as const;
  if (parts.id === undefined || parts.phase === undefined) {
    const line = times.map((t) => `${parts.count} ${t}`).find((l) => l.length <= width);
    return line ?? cut(`${parts.count} ${times[1]}`, width);
  }
  const [long, short] = PHASES[parts.phase];
  const window =
    parts.windowS !== undefined && parts.inPhaseS !== undefined
      ? { long: `${parts.inPhaseS} s of ${parts.windowS} s`, short: `${parts.inPhaseS}/${parts.windowS} s` }
      : parts.inPhaseS !== undefined && parts.inPhaseS >= 1
        ? { long: `${parts.inPhaseS} s`, short: `${parts.inPhaseS} s` }
        : undefined;
  const detail = (label: string, ...bits: (string | undefined)[]) => {
    const shown = bits.filter((b): b is string => b !== undefined);
    return shown.length ? `${label} (${shown.join('; ')})` : label;
  };
  // Most to least said; the first that fits wins, with the case id whole or, where allowed, cut in the middle.
  const phases: [phase: string, idMayShrink: boolean][] = [
    [detail(long, parts.down, window?.long), false],
    [detail(long, window?.long), false],
    [long, false],
    [detail(short, window?.short), false],
    [short, false],
    [detail(short, window?.short), true],
    [short, true],
  ];
  // The count of cases in flight beside it goes first, then its short form.
  const others = parts.others > 0 ? [` (+${parts.others} in flight)`, ` (+${parts.others})`, ''] : [''];
  for (const [phase, idMayShrink] of phases) {
    // Once the id must be cut, everything around it is as short as it gets, so that as much of it stays.
    for (const time of idMayShrink ? [times[1]] : times) {
      for (const more of idMayShrink ? [''] : others) {
        const rest = `${parts.count}  ·  · ${time}`.length + more.length + phase.length;
        const id =
          rest + parts.id.length <= width ? parts.id : idMayShrink ? shrinkId(parts.id, width - rest) : undefined;
        if (id !== undefined) return `${parts.count} ${id}${more} · ${phase} · ${time}`;
      }
    }
  }
  return cut(`${parts.count} ${times[1]} · ${shrinkId(parts.id, MIN_ID) ?? parts.id} · ${short}`, width);
}

/**
 * The id with its middle replaced by `…` to fit `room`: its transport and as many of its last segments as fit
 * (`http.…combination.all-three`), else its last segment (`…all-three`), else the characters at both ends.
 * Undefined when that would leave less than MIN_ID.
 */
export function shrinkId(id: string, room: number): string | undefined {
  if (id.length <= room) return id;
  if (room < MIN_ID) return undefined;
  const segments = id.split('.');
  const head = `${segments[0]}.…`;
  let tail = '';
  for (let i = segments.length - 1; i > 1; i--) {
    const longer = segments.slice(i).join('.');
    if (head.length + longer.length > room) break;
    tail = longer;
  }
  if (tail) return `${head}${tail}`;
  const last = segments.at(-1) ?? '';
  if (segments.length > 1 && last.length + 1 <= room) return `…${last}`;
  const keep = room - 1;
  const end = Math.floor(keep / 2);
  return `${id.slice(0, keep - end)}…${id.slice(id.length - end)}`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
