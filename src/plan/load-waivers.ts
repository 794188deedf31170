import { ConformanceError } from '../errors/conformance-error.ts';
import { parseYamlFile } from '../specs/parse-yaml-file.ts';
import { matchesId } from './match-id.ts';

/** One entry of a waivers file: a known failure that does not fail the gate until it expires. */
export interface Waiver {
  /** A case id, id prefix or glob (as --only takes). */
  case: string;
  reason: string;
  /** Last day (YYYY-MM-DD) the waiver is in force. */
  expires: string;
  /** `file:line:col` of the entry, for messages. */
  where: string;
}

/** The waivers of a run, with the file they came from. */
export interface WaiverFile {
  source: string;
  waivers: Waiver[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Loads `--waivers FILE`: a YAML list (or `waivers:` holding one) of `{ case, reason, expires }`.
 * Every mistake is exit 2 naming the file, line and entry.
 */
export function loadWaivers(path: string): WaiverFile {
  const file = parseYamlFile(path);
  const data = file.data as unknown;
  const wrapped = data && typeof data === 'object' && !Array.isArray(data) && 'waivers' in data;
  const list = wrapped ? (data as { waivers: unknown }).waivers : data;
  const base: (string | number)[] = wrapped ? ['waivers'] : [];
  if (!Array.isArray(list)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      'waivers: want a list of { case, reason, expires: YYYY-MM-DD }',
      file.where(base),
    );
  }
  const waivers = list.map((entry: unknown, index): Waiver => {
    const at = [...base, index];
    const fail = (message: string, key?: string): never => {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `waiver #${index + 1}: ${message}`,
        file.where(key ? [...at, key] : at),
      );
    };
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return fail('want { case, reason, expires }');
    const e = entry as Record<string, unknown>;
    const stray = Object.keys(e).find((k) => !['case', 'reason', 'expires'].includes(k));
    if (stray) fail(`unknown key "${stray}" (want case, reason, expires)`, stray);
    if (typeof e.case !== 'string' || !e.case.trim()) fail('"case" must be a case id or glob', 'case');
    if (typeof e.reason !== 'string' || !e.reason.trim())
      fail('"reason" must say why the failure is accepted', 'reason');
    // YAML 1.1 loaders turn a bare date into a timestamp; ours keeps it a string, but accept both.
    const expires = e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires;
    if (typeof expires !== 'string' || !validDate(expires)) {
      fail(`"expires" must be a date YYYY-MM-DD (got ${JSON.stringify(e.expires ?? null)})`, 'expires');
    }
    return {
      case: e.case as string,
      reason: e.reason as string,
      expires: expires as string,
      where: file.where(at),
    };
  });
  return { source: file.path, waivers };
}

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Throws (exit 2) for a waiver that names no case of the suite: a stale or mistyped entry hides nothing. */
export function checkWaiversMatch(file: WaiverFile, suiteCaseIds: readonly string[], suiteName: string): void {
  for (const [index, waiver] of file.waivers.entries()) {
    if (!suiteCaseIds.some((id) => matchesId(id, waiver.case))) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `waiver #${index + 1} (case "${waiver.case}") matches no case in suite ${suiteName}`,
        waiver.where,
      );
    }
  }
}

/** The first waiver that names a case, if any. */
export function waiverFor(id: string, file: WaiverFile | undefined): Waiver | undefined {
  return file?.waivers.find((w) => matchesId(id, w.case));
}

/** Whether a waiver is past its last day (`today` as YYYY-MM-DD, UTC). */
export function isExpired(waiver: Pick<Waiver, 'expires'>, today: string): boolean {
  return today > waiver.expires;
}

/** Today's date, YYYY-MM-DD in UTC: the date waivers are judged against. */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}
