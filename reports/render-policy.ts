import type { CaseResult, Report } from '../src/results/types.ts';

/** A short tag after a case's verdict: its waiver and whether it was flaky. */
export function policyTag(result: CaseResult): string {
  const parts: string[] = [];
  const w = result.waived;
  if (w?.status === 'waived') parts.push(`WAIVED until ${w.expires}: ${w.reason}`);
  else if (w?.status === 'expired') parts.push(`waiver EXPIRED ${w.expires}: counts as a failure`);
  else if (w?.status === 'no-longer-needed') parts.push('waiver no longer needed: the case passes');
  if (result.flaky) parts.push(`FLAKY ${result.repeats?.join(',') ?? ''}`);
  else if (result.repeats) parts.push(`${result.repeats.length} runs`);
  return parts.length ? `  (${parts.join('; ')})` : '';
}

/** The summary lines about capabilities, waivers and repeats (nothing for a plain run but the capabilities). */
export function policySummaryLines(report: Report): string[] {
  const lines: string[] = [];
  const caps = report.capabilities;
  if (caps) {
    const names = Object.entries(caps.declared);
    lines.push(
      caps.mode === 'assumed'
        ? `Capabilities: no manifest given, every capability assumed (${names.map(([n]) => n).join(', ')})`
        : `Capabilities (${caps.manifest}): ${names.map(([n, has]) => `${n} ${has ? 'yes' : 'no'}`).join(', ')}${caps.notApplicable.length ? `; ${caps.notApplicable.length} cases not-applicable` : ''}`,
    );
  }
  const s = report.summary;
  if (report.waivers) {
    lines.push(
      `Waivers (${report.waivers.file}): ${s.waived ?? 0} waived failures, ${s.waiversExpired ?? 0} expired, ${s.waiversNoLongerNeeded ?? 0} no longer needed`,
    );
    for (const r of report.results) {
      if (r.waived?.status === 'expired') lines.push(`  waiver expired ${r.waived.expires}: ${r.id} fails the gate`);
      if (r.waived?.status === 'no-longer-needed')
        lines.push(`  waiver no longer needed: ${r.id} now ${r.verdict === 'pass' ? 'passes' : 'only warns'}`);
    }
  }
  if (report.repeat) {
    lines.push(`Repeated ${report.repeat} times: ${s.flaky ?? 0} flaky cases`);
    for (const r of report.results) if (r.flaky) lines.push(`  flaky: ${r.id} (${r.repeats?.join(', ')})`);
  }
  return lines;
}
