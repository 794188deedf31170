import type { CheckOutcome, Level, Profile, StateEvidence } from '../results/types.ts';
import type { HttpExpectSpec, HttpShouldSpec } from '../specs/case-schema.ts';
import { outcomesOf } from '../specs/outcomes.ts';
import { checkReboot, type RebootObservation } from './check-reboot.ts';
import { checkBody, checkContentType, checkError, checkStatus, type ResponseView } from './check-response.ts';
import { checkState } from './check-state.ts';
import { type JudgedCase, judgeOutcomes } from './judge-outcomes.ts';

/** Everything an HTTP case observed, for judging. */
export interface HttpObservation {
  response: ResponseView;
  reboot: RebootObservation;
  state: StateEvidence | undefined;
  settingDefaults: Readonly<Record<string, unknown>>;
}

/** Judges a case's observation against its expectation; a `oneOf` picks the outcome the device chose. */
export function checkHttpCase(
  expect: HttpExpectSpec,
  seen: HttpObservation,
  caseLevel: Level,
  profile: Profile,
): JudgedCase {
  return judgeOutcomes<HttpShouldSpec>(
    expect,
    caseLevel,
    (block, level) => checkBlock(block, seen, level, profile),
    (c) => /^(status|error|body|content-type)/.test(c.check),
  );
}

function checkBlock(block: HttpShouldSpec, seen: HttpObservation, level: Level, profile: Profile): CheckOutcome[] {
  const checks: CheckOutcome[] = [];
  const view = seen.response;
  // Without an answer, what the device did instead (went down?) is the story; the answer checks follow.
  const rebootFirst = !seen.reboot.answered;
  if (rebootFirst && block.reboot !== undefined) checks.push(checkReboot(block.reboot, seen.reboot, level));
  checks.push(...answerChecks(block, view, level, profile));
  if (!rebootFirst && block.reboot !== undefined) checks.push(checkReboot(block.reboot, seen.reboot, level));
  if (block.state !== undefined) checks.push(...checkState(block.state, seen.state, seen.settingDefaults, level));
  return checks;
}

/** The checks of the answer itself: status, error envelope, content type, body. */
function answerChecks(block: HttpShouldSpec, view: ResponseView, level: Level, profile: Profile): CheckOutcome[] {
  const checks: CheckOutcome[] = [];
  if (block.status !== undefined) checks.push(checkStatus(view, block.status, level));
  if (block.error !== undefined) checks.push(...checkError(view, block.error, level, profile));
  if (block.contentType !== undefined && view.exchange.status !== undefined) {
    checks.push(checkContentType(view, block.contentType, level));
  }
  if (block.body !== undefined) checks.push(...checkBody(view, block.body, level));
  return checks;
}

/**
 * The outcomes of an expectation the answer alone leaves possible: those none of whose answer checks fails
 * (judged at MUST, whatever the case's level). When none fits, all of them, as the judging will say.
 */
export function outcomesFitting(expect: HttpExpectSpec, view: ResponseView, profile: Profile): HttpShouldSpec[] {
  const all = outcomesOf<HttpShouldSpec>(expect);
  const fitting = all.filter((o) => answerChecks(o, view, 'MUST', profile).every((c) => c.result !== 'fail'));
  return fitting.length > 0 ? fitting : [...all];
}
