import picocolors from 'picocolors';
import type { CaseResult, Report } from '../src/results/types.ts';
import { policySummaryLines, policyTag } from './render-policy.ts';

/** Console styling: ANSI colours only for a terminal that wants them (colorWanted). */
export interface ConsoleStyle {
  color: boolean;
}

/**
 * Whether the console is coloured: NO_COLOR (any value, no-color.org) turns colours off, FORCE_COLOR turns
 * them on even off a terminal (`0` or `false` off), and otherwise a terminal gets them and a pipe does not.
 */
export function colorWanted(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

const COLORS = { on: picocolors.createColors(true), off: picocolors.createColors(false) };
type Paint = (text: string) => string;

const LABEL: Record<CaseResult['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  'not-applicable': 'N/A ',
  'could-not-test': 'CNT ',
};

const COLOR: Record<CaseResult['verdict'] | 'incomplete', keyof typeof COLORS.on> = {
  pass: 'green',
  fail: 'red',
  warn: 'yellow',
  'not-applicable': 'gray',
  'could-not-test': 'magenta',
  incomplete: 'magenta',
};

function paint(text: string, color: keyof typeof COLOR, style: ConsoleStyle): string {
  return (COLORS[style.color ? 'on' : 'off'][COLOR[color]] as Paint)(text);
}

/** The lines printed when a case finishes: one line, and for anything but a pass, why. */
export function renderCaseLines(result: CaseResult, style: ConsoleStyle): string[] {
  const head = `${paint(LABEL[result.verdict], result.verdict, style)} ${result.id}  [${result.level} ${result.clauses.join(' ')}]  ${result.durationMs} ms${policyTag(result)}`;
  if (result.verdict === 'pass') return [head];
  const lines = [head, `  -> ${result.title}`];
  const problems = result.checks.filter((c) => c.result !== 'pass');
  if (problems.length === 0) lines.push(`  --> ${result.source}   ${result.message}`);
  for (const check of problems) {
    lines.push(
      `  --> ${result.source}   ${check.check} [${check.level}${check.result === 'pass' ? '' : ` ${check.result}`}]`,
    );
    lines.push(`      expected: ${check.expected}`);
    lines.push(`      received: ${check.received}`);
  }
  if (result.verdict === 'could-not-test' && problems.length > 0) lines.push(`      ${result.message}`);
  if (result.evidence.outcome) lines.push(`  outcome: ${result.evidence.outcome}`);
  if (result.evidence.reproduce) lines.push(`  Reproduce: ${result.evidence.reproduce}`);
  return lines;
}

/**
 * The closing block: the verdict counts, the gate, the warnings, and the plain last line
 * `N passed, N failed, N could not test, N skipped` that CI logs show last.
 */
export function renderSummary(report: Report, style: ConsoleStyle): string[] {
  const s = report.summary;
  const gate =
    report.exitCode === 0
      ? paint('PASS', 'pass', style)
      : report.exitCode === 1
        ? paint('FAIL', 'fail', style)
        : paint('INCOMPLETE', 'incomplete', style);
  const uncovered = report.clauses.filter((c) => c.verdict === 'uncovered' && c.level === 'MUST');
  const lines = [
    '',
    `Target ${report.target}  suite ${report.suite}  profile ${report.profile}${report.complete ? '' : '  (interrupted: partial results)'}`,
    `${s.total} cases: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.couldNotTest} could-not-test, ${s.notApplicable} not-applicable`,
  ];
  if (uncovered.length) lines.push(`MUST clauses no selected case covers: ${uncovered.map((c) => c.id).join(', ')}`);
  lines.push(...policySummaryLines(report));
  lines.push(`Gate: ${gate} (exit ${report.exitCode})`);
  // Counted as junit.xml counts them: a warning passes, a waived failure is skipped, could-not-test is not a skip.
  // The line above says what the plain line folds in, so its "passed" never hides a warning.
  const waived = s.waived ?? 0;
  const said = [
    s.warn === 0
      ? 'Warnings: 0'
      : `Warnings: ${s.warn}, counted as passed below (a SHOULD not met, or a lenient deviation)`,
  ];
  if (waived > 0) said.push(`waived failures: ${waived}, counted as skipped below`);
  lines.push(said.join('; '));
  lines.push(
    `${s.pass + s.warn} passed, ${s.fail - waived} failed, ${s.couldNotTest} could not test, ${s.notApplicable + waived} skipped`,
  );
  return lines;
}
