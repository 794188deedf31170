import { describe, expect, it } from 'vitest';
import { matchesId } from '../../src/plan/match-id.ts';

describe('matchesId', () => {
  const id = 'http.wipedata.content-type.text-plain';
  it('matches ** across segments and * within one', () => {
    expect(matchesId(id, 'http.**')).toBe(true);
    expect(matchesId(id, 'http.*.content-type.*')).toBe(true);
    expect(matchesId(id, 'http.*.text-plain')).toBe(false);
    expect(matchesId(id, 'amqp.**')).toBe(false);
    expect(matchesId(id, '*.wipedata.content-type.text-*')).toBe(true);
  });
  it('matches a plain prefix only at a segment boundary', () => {
    expect(matchesId(id, 'http.wipedata.content-type')).toBe(true);
    expect(matchesId(id, 'http.wipedata.content')).toBe(false);
    expect(matchesId(id, id)).toBe(true);
  });
});
