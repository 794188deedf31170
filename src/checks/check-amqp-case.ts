import type { CheckOutcome, Level, Profile, StateEvidence } from '../results/types.ts';
import type { AmqpExpectSpec, AmqpShouldSpec } from '../specs/case-schema.ts';
import { checkReboot, type RebootObservation } from './check-reboot.ts';
import { checkNoReply, checkReply, type ReplyObservation } from './check-reply.ts';
import { checkState } from './check-state.ts';
import { type JudgedCase, judgeOutcomes } from './judge-outcomes.ts';

/** Everything an MQ case observed, for judging. */
export interface AmqpObservation {
  replies: ReplyObservation;
  reboot: RebootObservation;
  state: StateEvidence | undefined;
  settingDefaults: Readonly<Record<string, unknown>>;
}

/** Judges an MQ case: the reply and where it went, the state, the reboot. */
export function checkAmqpCase(
  expect: AmqpExpectSpec,
  seen: AmqpObservation,
  caseLevel: Level,
  profile: Profile,
): JudgedCase {
  return judgeOutcomes<AmqpShouldSpec>(
    expect,
    caseLevel,
    (block, level) => checkBlock(block, seen, level, profile),
    (c) => c.check.startsWith('reply'),
  );
}

function checkBlock(block: AmqpShouldSpec, seen: AmqpObservation, level: Level, profile: Profile): CheckOutcome[] {
  const checks: CheckOutcome[] = [];
  if (block.reply !== undefined) checks.push(...checkReply(block.reply, seen.replies, level, profile));
  if (block.noReply !== undefined)
    checks.push(...checkNoReply(block.noReply, seen.replies, level, profile, block.reply?.lenientVia));
  if (block.reboot !== undefined) checks.push(checkReboot(block.reboot, seen.reboot, level));
  if (block.state !== undefined) checks.push(...checkState(block.state, seen.state, seen.settingDefaults, level));
  return checks;
}
