import type { CaseResult, Report } from '../src/results/types.ts';
import { policyTag } from './render-policy.ts';

// XML 1.0 cannot carry most control characters, even escaped; they are dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing characters XML forbids
const INVALID_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function xml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function details(result: CaseResult): string {
  const lines = result.checks
    .filter((c) => c.result !== 'pass')
    .map((c) => `${c.check} [${c.level} ${c.result}]\n  expected: ${c.expected}\n  received: ${c.received}`);
  if (result.evidence.reproduce) lines.push(`Reproduce: ${result.evidence.reproduce}`);
  lines.push(`Case: ${result.source}`);
  return lines.join('\n');
}

/**
 * JUnit XML, mapped in one table: fail → failure, could-not-test → error, not-applicable → skipped,
 * warn → passing with the deviation in system-out. One testsuite per transport.
 */
export function renderJunit(report: Report): string {
  const parts: string[] = [];
  emitJunit(report, (text) => parts.push(text));
  return parts.join('');
}

/** The same XML as renderJunit, handed out piece by piece (a testcase at a time) for a streamed file. */
export function emitJunit(report: Report, emit: (text: string) => void): void {
  const byTransport = new Map<string, CaseResult[]>();
  for (const r of report.results) {
    const list = byTransport.get(r.transport);
    if (list) list.push(r);
    else byTransport.set(r.transport, [r]);
  }
  const s = report.summary;
  const waived = s.waived ?? 0;
  emit(
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sophon-conformance ${xml(report.suite)}" tests="${s.total}" failures="${s.fail - waived}" errors="${s.couldNotTest}" skipped="${s.notApplicable + waived}">\n`,
  );
  let first = true;
  for (const [transport, results] of byTransport) {
    const count = (v: CaseResult['verdict']) => results.filter((r) => junitVerdict(r) === v).length;
    const time = results.reduce((t, r) => t + r.durationMs, 0) / 1000;
    emit(
      `${first ? '' : '\n'}  <testsuite name="${xml(transport)}" tests="${results.length}" failures="${count('fail')}" errors="${count('could-not-test')}" skipped="${count('not-applicable')}" time="${time.toFixed(3)}" timestamp="${xml(report.startedAt)}">\n`,
    );
    first = false;
    for (const [i, r] of results.entries()) emit(`${i > 0 ? '\n' : ''}${testcase(transport, r)}`);
    emit('\n  </testsuite>');
  }
  emit('\n</testsuites>\n');
}

function testcase(transport: string, r: CaseResult): string {
  const open = `    <testcase classname="sophon-conformance.${xml(transport)}" name="${xml(r.id)}" time="${(r.durationMs / 1000).toFixed(3)}" file="${xml(r.source.split(':')[0] ?? '')}">`;
  const message = xml(`${r.message}${policyTag(r)}`);
  // A failure under a waiver in force is reported skipped (it does not fail the gate), with its details.
  if (junitVerdict(r) !== r.verdict) {
    return `${open}\n      <skipped message="${message}"/>\n      <system-out>${xml(`FAIL (waived) ${r.message}\n${details(r)}`)}</system-out>\n    </testcase>`;
  }
  switch (r.verdict) {
    case 'fail':
      return `${open}\n      <failure message="${message}" type="${xml(r.level)}">${xml(details(r))}</failure>\n    </testcase>`;
    case 'could-not-test':
      return `${open}\n      <error message="${message}" type="could-not-test">${xml(details(r))}</error>\n    </testcase>`;
    case 'not-applicable':
      return `${open}\n      <skipped message="${message}"/>\n    </testcase>`;
    case 'warn':
      return `${open}\n      <system-out>${xml(`WARN ${r.message}\n${details(r)}`)}</system-out>\n    </testcase>`;
    default:
      return `${open}</testcase>`;
  }
}

/** The verdict JUnit shows: a waived failure (waiver in force) is skipped, everything else as it is. */
function junitVerdict(r: CaseResult): CaseResult['verdict'] {
  return r.verdict === 'fail' && r.waived?.status === 'waived' ? 'not-applicable' : r.verdict;
}
