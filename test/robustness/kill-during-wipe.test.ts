import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyStore, killDuringWipes, wipedAll } from './kill-during-wipe.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const SEEDED = {
  format: 'sophon-reference-device/store/1',
  licenseKey: 'k',
  permissions: [{ permission_id: 'p1' }],
  identities: [{ identity_id: 'i1' }],
  mediaDevices: [{ media_device_id: 'm1' }],
  events: [{ event_id: 'e1' }],
  settings: { MATCH_THRESHOLD: 85, GATE_PASS_MODE: 'allforbidden' },
  processedMessageIds: [],
};

describe('kill -9 during a wipe', () => {
  it('leaves the store entirely before or entirely after the wipe, and an answered wipe on disk', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-kill-'));
    folders.push(dataDir);
    const figures = await killDuringWipes({ kills: 20, dataDir });
    expect(figures.examples).toEqual([]);
    expect(figures).toMatchObject({
      kills: 20,
      halfWiped: 0,
      unreadable: 0,
      answeredButLost: 0,
      apiMismatch: 0,
      leftoverTempFiles: 0,
    });
    expect(figures.before + figures.after).toBe(20);
  }, 240_000);

  it('tells a half-wiped or truncated store from a whole one', () => {
    const text = (doc: unknown) => JSON.stringify(doc);
    expect(classifyStore(text(SEEDED), SEEDED)).toBe('before');
    expect(classifyStore(text(wipedAll(SEEDED)), SEEDED)).toBe('after');
    expect(classifyStore(text({ ...SEEDED, identities: [], permissions: [] }), SEEDED)).toBe('half');
    expect(classifyStore(text({ ...wipedAll(SEEDED), settings: SEEDED.settings }), SEEDED)).toBe('half');
    expect(classifyStore(text(SEEDED).slice(0, 40), SEEDED)).toBe('unreadable');
    expect(classifyStore('', SEEDED)).toBe('unreadable');
  });
});
