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
        const reason = state?.unseedableWhy?.[c];
        const why = state?.unseedable?.includes(c)
          ? ` (the state adapter could not seed it${reason ? `: ${reason}` : ''})`
          : '';
        checks.push(
          outcome(name, level, 'unobservable', `${label} emptied`, `there were none before the request${why}`),
        );
        continue;
      }
      if (c === 'events') {
        checks.push(...checkRecordsDeleted(before.events, after.events, state?.afterResponse?.events, level));
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

type Records = StateSnapshot['events'];

/**
 * An events wipe deletes every *historical* record (000_2427abba6c145ae1.txt, 请求参数: "删除全部历史识别记录",
 * HTTP-7): a device whose input keeps recognising (a looping file, a camera facing someone) makes new records
 * after it, and keeps the input device that makes them. So the wipe is judged by the records listed before it:
 * none of them may remain. When either list is incomplete (more records than the adapter lists, or an adapter
 * that lists none), the count is all there is, and it must be 0.
 */
export function checkRecordsDeleted(
  before: Records,
  after: Records,
  early: Records | undefined,
  level: Level,
): CheckOutcome[] {
  const label = LABEL.events;
  const judge = (name: string, expected: string, now: Records, when: string): CheckOutcome => {
    const listed = before.idsComplete === true && before.ids !== undefined;
    const nowListed = now.idsComplete === true && now.ids !== undefined;
    const old = new Set(before.ids ?? []);
    const left = (now.ids ?? []).filter((id) => old.has(id));
    if (left.length > 0) {
      return outcome(name, level, false, expected, `${left.length} of the ${old.size} listed before ${when}`);
    }
    if (listed && nowListed) {
      const fresh = now.count;
      const note = fresh === 0 ? '' : `; ${fresh} new since (made after the wipe: new history, HTTP-7)`;
      return outcome(name, level, true, expected, `none of the ${old.size} listed before ${when}${note}`);
    }
    const which = listed ? 'the records after' : 'the records before';
    return outcome(
      name,
      level,
      now.count === 0,
      expected,
      `${now.count} ${when} (${which} could not all be listed, so any record counts as left)`,
    );
  };
  const checks = [judge('state.events', `${label} emptied (${before.count} before)`, after, 'left')];
  if (early) {
    checks.push(
      judge(
        'state.events.synchronous',
        `${label} already gone when the response was sent (HTTP-12)`,
        early,
        'still listed right after the response',
      ),
    );
  }
  return checks;
}

function checkUnchanged(c: CountedCategory, before: StateSnapshot, after: StateSnapshot, level: Level): CheckOutcome {
  const name = `state.${c}`;
  const label = LABEL[c];
  if (c === 'events') {
    // A live device may add records; none may disappear. By count, not by id: a device whose history is full
    // drops its oldest records as it makes new ones, and by id that would read as a deletion.
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
