import { describe, expect, it } from 'vitest';
import { checkState } from '../../src/checks/check-state.ts';
import type { StateEvidence, StateSnapshot } from '../../src/results/types.ts';

// An events wipe deletes every historical record (HTTP-7); records a live input makes after it are new history.

function snapshot(events: StateSnapshot['events']): StateSnapshot {
  return {
    identities: { count: 1, faces: 1, ids: ['i'] },
    permissions: { count: 1, ids: ['p'] },
    mediaDevices: { count: 1, ids: ['m'] },
    events,
    settings: {},
  };
}

const listed = (...ids: string[]) => ({ count: ids.length, ids, idsComplete: true });
const eventsCheck = (state: StateEvidence) =>
  checkState({ events: 'emptied' }, state, {}, 'MUST').filter((c) => c.check.startsWith('state.events'));

describe('records emptied by an events wipe', () => {
  it('fails when a record listed before is still there, however many new ones came', () => {
    const [check] = eventsCheck({ before: snapshot(listed('a', 'b')), after: snapshot(listed('b', 'n1', 'n2')) });
    expect(check).toMatchObject({ result: 'fail', received: '1 of the 2 listed before left' });
  });

  it('passes when only records made after the wipe are there, saying how many', () => {
    const [check] = eventsCheck({ before: snapshot(listed('a', 'b')), after: snapshot(listed('n1', 'n2', 'n3')) });
    expect(check?.result).toBe('pass');
    expect(check?.received).toBe(
      'none of the 2 listed before left; 3 new since (made after the wipe: new history, HTTP-7)',
    );
  });

  it('judges the synchronous read the same way', () => {
    const checks = eventsCheck({
      before: snapshot(listed('a')),
      afterResponse: snapshot(listed('a', 'n1')),
      after: snapshot(listed('n1')),
    });
    expect(checks.map((c) => [c.check, c.result])).toEqual([
      ['state.events', 'pass'],
      ['state.events.synchronous', 'fail'],
    ]);
  });

  it('stays strict (the count must be 0) when the list before was incomplete', () => {
    const before = snapshot({ count: 500, ids: ['a'], idsComplete: false });
    const [check] = eventsCheck({ before, after: snapshot(listed('n1')) });
    expect(check?.result).toBe('fail');
    expect(check?.received).toMatch(/^1 left \(the records before could not all be listed/);
    const [empty] = eventsCheck({ before, after: snapshot(listed()) });
    expect(empty?.result).toBe('pass');
  });

  it('stays strict when the list after was incomplete, or the adapter lists no ids', () => {
    const after = snapshot({ count: 400, ids: ['n1'], idsComplete: false });
    expect(eventsCheck({ before: snapshot(listed('a')), after })[0]?.result).toBe('fail');
    const counts = (count: number) => snapshot({ count });
    expect(eventsCheck({ before: counts(2), after: counts(1) })[0]?.result).toBe('fail');
    expect(eventsCheck({ before: counts(2), after: counts(0) })[0]?.result).toBe('pass');
  });

  it('says why records could not be seeded', () => {
    const [check] = eventsCheck({
      before: snapshot(listed()),
      after: snapshot(listed()),
      unseedable: ['events'],
      unseedableWhy: { events: 'give --record-source an http(s) URL' },
    });
    expect(check).toMatchObject({
      result: 'unobservable',
      received:
        'there were none before the request (the state adapter could not seed it: give --record-source an http(s) URL)',
    });
  });
});
