import type {
  CaseResult,
  HttpExchangeEvidence,
  Level,
  Profile,
  Report,
  StateSnapshot,
  Summary,
  Transport,
  VerdictKind,
  WireBody,
} from './types.ts';

/** What identifies one of the two runs being compared. */
export interface RunSide {
  tool: string;
  version: string;
  target: string;
  suite: string;
  profile: Profile;
  specHash: string;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  exitCode: number;
  summary: Summary;
}

/** A case as both runs know it, with its verdict in each. */
export interface VerdictChange {
  id: string;
  title: string;
  level: Level;
  transport: Transport;
  a: VerdictKind;
  b: VerdictKind;
  messageA: string;
  messageB: string;
}

/** A case only one of the runs holds. */
export interface CaseOnlyIn {
  id: string;
  title: string;
  level: Level;
  transport: Transport;
  verdict: VerdictKind;
  message: string;
}

/** One observable that differs between the runs, rendered as text on both sides. */
export interface EvidenceDifference {
  /** Stable name: `http[1].response.status`, `reboot.outcome`, `state.after.identities`, `check status`. */
  what: string;
  a: string;
  b: string;
}

export interface EvidenceChange {
  id: string;
  title: string;
  a: VerdictKind;
  b: VerdictKind;
  differences: EvidenceDifference[];
}

/** One of what makes two runs' verdicts directly comparable, where the runs differ in it, with both values. */
export interface BasisDifference {
  field: 'suite' | 'target' | 'specHash';
  a: string;
  b: string;
}

/** How run B (usually the newer) differs from run A (the baseline). */
export interface RunComparison {
  a: RunSide;
  b: RunSide;
  /** Same suite, target and spec hash: the verdicts are directly comparable. */
  sameBasis: boolean;
  /** Which of suite, target and spec hash differ (empty when sameBasis). */
  basisDifferences: BasisDifference[];
  /** In both runs; failing in B and not in A. */
  newlyFailing: VerdictChange[];
  /** In both runs; passing in B (pass or warn: the gate lets it through) and not in A. */
  newlyPassing: VerdictChange[];
  /** In both runs; failing in both. */
  stillFailing: VerdictChange[];
  /** Every case in both runs whose verdict differs (includes the newly failing and newly passing). */
  verdictChanges: VerdictChange[];
  /** Only in B. */
  added: CaseOnlyIn[];
  /** Only in A. */
  removed: CaseOnlyIn[];
  /** Cases in both runs whose observable outcome differs, whatever their verdicts. */
  changedEvidence: EvidenceChange[];
  /** Cases in both runs with the same verdict and no evidence difference. */
  unchanged: number;
  /** Cases in both runs: the ones whose verdicts and evidence were compared. */
  compared: number;
  /** Cases in either run (compared + only in A + only in B). */
  cases: number;
}

/**
 * How much of the two runs was compared, for every view: a 2-case rerun against a 63-case run compares 2,
 * and a PASS must not read as if all 63 held.
 */
export function comparedCases(comparison: RunComparison): string {
  const { compared, cases, added, removed } = comparison;
  if (compared === cases) return `compared all ${cases} cases`;
  const only = [
    removed.length ? `${removed.length} only in base` : '',
    added.length ? `${added.length} only in new` : '',
  ].filter(Boolean);
  return `compared ${compared} of ${cases} cases; ${only.join('; ')}`;
}

const PASSING: ReadonlySet<VerdictKind> = new Set(['pass', 'warn']);
/** Long bodies are cut in a difference; the full text is in each run's own report. */
const MAX_TEXT = 400;

function side(report: Report): RunSide {
  return {
    tool: report.tool,
    version: report.version,
    target: report.target,
    suite: report.suite,
    profile: report.profile,
    specHash: report.specHash,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    complete: report.complete,
    exitCode: report.exitCode,
    summary: report.summary,
  };
}

function onlyIn(r: CaseResult): CaseOnlyIn {
  return { id: r.id, title: r.title, level: r.level, transport: r.transport, verdict: r.verdict, message: r.message };
}

/**
 * Compares two runs case by case (by id): verdict movements, cases added and removed, and what the
 * device did differently (status, body, reboot outcome, state afterwards, MQ replies, check results).
 * Timings are not compared: they differ on every run. Pure: the same reports give the same comparison.
 */
export function compareRuns(a: Report, b: Report): RunComparison {
  const inA = new Map(a.results.map((r) => [r.id, r]));
  const inB = new Set(b.results.map((r) => r.id));
  const comparison: RunComparison = {
    a: side(a),
    b: side(b),
    sameBasis: basisDifferences(a, b).length === 0,
    basisDifferences: basisDifferences(a, b),
    newlyFailing: [],
    newlyPassing: [],
    stillFailing: [],
    verdictChanges: [],
    added: [],
    removed: a.results.filter((r) => !inB.has(r.id)).map(onlyIn),
    changedEvidence: [],
    unchanged: 0,
    compared: 0,
    cases: 0,
  };
  for (const rb of b.results) {
    const ra = inA.get(rb.id);
    if (!ra) {
      comparison.added.push(onlyIn(rb));
      continue;
    }
    const change: VerdictChange = {
      id: rb.id,
      title: rb.title,
      level: rb.level,
      transport: rb.transport,
      a: ra.verdict,
      b: rb.verdict,
      messageA: ra.message,
      messageB: rb.message,
    };
    if (rb.verdict === 'fail' && ra.verdict === 'fail') comparison.stillFailing.push(change);
    else if (rb.verdict === 'fail') comparison.newlyFailing.push(change);
    else if (PASSING.has(rb.verdict) && !PASSING.has(ra.verdict)) comparison.newlyPassing.push(change);
    if (ra.verdict !== rb.verdict) comparison.verdictChanges.push(change);
    const differences = evidenceDifferences(ra, rb);
    if (differences.length) {
      comparison.changedEvidence.push({ id: rb.id, title: rb.title, a: ra.verdict, b: rb.verdict, differences });
    } else if (ra.verdict === rb.verdict) {
      comparison.unchanged++;
    }
  }
  comparison.compared = b.results.length - comparison.added.length;
  comparison.cases = comparison.compared + comparison.added.length + comparison.removed.length;
  return comparison;
}

/** Which of suite, target and spec hash differ between the runs, with both values, in that order. */
export function basisDifferences(a: Report, b: Report): BasisDifference[] {
  return (['suite', 'target', 'specHash'] as const)
    .filter((field) => a[field] !== b[field])
    .map((field) => ({ field, a: a[field], b: b[field] }));
}

/** What the device did differently in case `b` than in case `a`. */
export function evidenceDifferences(a: CaseResult, b: CaseResult): EvidenceDifference[] {
  const out: EvidenceDifference[] = [];
  const differ = (what: string, x: string, y: string) => {
    if (x !== y) out.push({ what, a: cut(x), b: cut(y) });
  };
  const ha = a.evidence.http ?? [];
  const hb = b.evidence.http ?? [];
  differ('http.exchanges', String(ha.length), String(hb.length));
  for (let i = 0; i < Math.min(ha.length, hb.length); i++) {
    const xa = ha[i] as HttpExchangeEvidence;
    const xb = hb[i] as HttpExchangeEvidence;
    const at = ha.length > 1 || hb.length > 1 ? `http[${i + 1}]` : 'http';
    differ(`${at}.response.status`, statusText(xa), statusText(xb));
    if (xa.response && xb.response)
      differ(`${at}.response.body`, bodyText(xa.response.body), bodyText(xb.response.body));
    differ(`${at}.error`, xa.error ?? '–', xb.error ?? '–');
  }
  differ('reboot.outcome', a.evidence.reboot?.outcome ?? '–', b.evidence.reboot?.outcome ?? '–');
  differ('outcome', a.evidence.outcome ?? '–', b.evidence.outcome ?? '–');
  const sa = a.evidence.state?.after;
  const sb = b.evidence.state?.after;
  if (sa && sb) {
    for (const category of ['identities', 'permissions', 'mediaDevices', 'events'] as const) {
      differ(`state.after.${category}`, countText(sa, category), countText(sb, category));
    }
    differ('state.after.settings', canonical(sa.settings), canonical(sb.settings));
  }
  const qa = a.evidence.amqp;
  const qb = b.evidence.amqp;
  if (qa || qb) {
    differ('amqp.replies', replySummary(qa?.replies), replySummary(qb?.replies));
  }
  const checksA = new Map(a.checks.map((c) => [c.check, c.result]));
  const checksB = new Map(b.checks.map((c) => [c.check, c.result]));
  if (checksA.size === 0 || checksB.size === 0) {
    // A case that stopped before its checks: one line, not one per check that did not run.
    differ('checks', `${checksA.size} ran`, `${checksB.size} ran`);
  } else {
    for (const name of [...new Set([...checksA.keys(), ...checksB.keys()])]) {
      differ(`check ${name}`, checksA.get(name) ?? 'did not run', checksB.get(name) ?? 'did not run');
    }
  }
  return out;
}

function statusText(x: HttpExchangeEvidence): string {
  return x.response ? String(x.response.status) : 'no response';
}

/** JSON bodies compare by value (key order and spacing aside); other bodies by their bytes. */
function bodyText(body: WireBody): string {
  if (body.base64 !== undefined) return `base64:${body.base64}`;
  const text = body.text ?? '';
  try {
    return canonical(JSON.parse(text));
  } catch {
    return text;
  }
}

function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function countText(s: StateSnapshot, category: 'identities' | 'permissions' | 'mediaDevices' | 'events'): string {
  if (category === 'identities') return `${s.identities.count} (${s.identities.faces} faces)`;
  return String(s[category].count);
}

/** Where each reply arrived and what it said (`up_queue: true EXECUTE_SUCCESS`); message ids differ per run, so they are left out. */
function replySummary(replies: NonNullable<CaseResult['evidence']['amqp']>['replies'] | undefined): string {
  if (!replies?.length) return 'no reply';
  return replies
    .map((reply) => {
      let said = '';
      try {
        const body = JSON.parse(reply.body.text ?? '') as { result?: unknown; code?: unknown };
        said = ` ${String(body.result)} ${String(body.code)}`;
      } catch {
        said = ' (not JSON)';
      }
      return `${reply.channel}:${said}`;
    })
    .join('; ');
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} chars)` : text;
}
