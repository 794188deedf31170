import type { CheckOutcome, Level, StateCategory, StateEvidence, StateSnapshot } from '../results/types.ts';
import type { StateExpectSpec } from '../specs/case-schema.ts';
import { outcome } from './check-outcome.ts';

type CountedCategory = Exclude<StateCategory, 'settings'>;

const LABEL: Record<StateCategory, string> = {
  identities: 'identities (face library)',
  permissions: 'permission groups',
  mediaDevices: 'input devices',
  events: 'recognition records',
  settings: 'smart settings',
};

/** The per-category reading of a state expectation (`unchanged` means every category). */
export function stateExpectations(expect: StateExpectSpec): Partial<Record<StateCategory, string>> {
  if (expect === 'unchanged') {
    return {
      identities: 'unchanged',
      permissions: 'unchanged',
      mediaDevices: 'unchanged',
      events: 'unchanged',
      settings: 'unchanged',
    };
  }
  return expect;
}

/**
 * Device state after the case against the state before it (design §4). `emptied` is only earned when
 * the category held data before; `unchanged` compares item ids, except records, which a live device
 * may add to (none may disappear).
 */
export function checkState(
  expect: StateExpectSpec,
  state: StateEvidence | undefined,
  defaults: Readonly<Record<string, unknown>>,
  level: Level,
): CheckOutcome[] {
  const checks: CheckOutcome[] = [];
  for (const [category, want] of Object.entries(stateExpectations(expect)) as [StateCategory, string][]) {
    const name = `state.${category}`;
    const label = LABEL[category];
    const before = state?.before;
    const after = state?.after;
    if (!before || !after) {
      const missing = !before ? 'the state before the request' : 'the state after the device was back';
      checks.push(outcome(name, level, 'unobservable', `${label} ${want}`, `could not read ${missing}`));
      continue;
    }
    if (category === 'settings') {
      checks.push(checkSettings(want, before.settings, after.settings, defaults, level));
      continue;
    }
    const c = category as CountedCategory;
    if (want === 'emptied') {
      if (before[c].count === 0) {
        const why = state?.unseedable?.includes(c) ? ' (the state adapter could not seed it)' : '';
        checks.push(
          outcome(name, level, 'unobservable', `${label} emptied`, `there were none before the request${why}`),
        );
        continue;
      }
      checks.push(
        outcome(
          name,
          level,
          after[c].count === 0,
          `${label} emptied (${before[c].count} before)`,
          `${after[c].count} left`,
        ),
      );
      const early = state?.afterResponse;
      if (early) {
        checks.push(
          outcome(
            `${name}.synchronous`,
            level,
            early[c].count === 0,
            `${label} already gone when the response was sent (HTTP-12)`,
            `${early[c].count} still listed right after the response`,
          ),
        );
      }
    } else {
      checks.push(checkUnchanged(c, before, after, level));
    }
  }
  return checks;
}

function checkUnchanged(c: CountedCategory, before: StateSnapshot, after: StateSnapshot, level: Level): CheckOutcome {
  const name = `state.${c}`;
  const label = LABEL[c];
  if (c === 'events') {
    const ok = after.events.count >= before.events.count;
    return outcome(name, level, ok, `${label} kept (${before.events.count} before)`, `${after.events.count} after`);
  }
  const beforeIds = before[c].ids;
  const afterIds = new Set(after[c].ids);
  const lost = beforeIds.filter((id) => !afterIds.has(id));
  const added = after[c].ids.filter((id) => !beforeIds.includes(id));
  const ok = lost.length === 0 && added.length === 0;
  const received = ok
    ? `${after[c].count} after, same ids`
    : `${after[c].count} after${lost.length ? `, ${lost.length} deleted` : ''}${added.length ? `, ${added.length} new` : ''}`;
  return outcome(name, level, ok, `${label} unchanged (${before[c].count} before)`, received);
}

function checkSettings(
  want: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  defaults: Readonly<Record<string, unknown>>,
  level: Level,
): CheckOutcome {
  const reference = want === 'defaults' ? defaults : before;
  // Devices report numbers as numbers or as strings; the value is what counts.
  const differing = Object.keys(reference).filter((key) => String(reference[key]) !== String(after[key]));
  if (want === 'defaults') {
    const seeded = Object.keys(defaults).some((key) => String(defaults[key]) !== String(before[key]));
    if (!seeded) {
      return outcome(
        'state.settings',
        level,
        'unobservable',
        'smart settings restored to defaults',
        'they were already at their defaults before the request',
      );
    }
  }
  const expected = want === 'defaults' ? 'smart settings restored to their defaults' : 'smart settings unchanged';
  const received = differing.length
    ? differing.map((key) => `${key}=${JSON.stringify(after[key])} (want ${JSON.stringify(reference[key])})`).join(', ')
    : want === 'defaults'
      ? 'all at defaults'
      : 'all as before';
  return outcome('state.settings', level, differing.length === 0, expected, received);
}
