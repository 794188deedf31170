// kill -9 during a wipe: a device process on a data folder is seeded, sent `{"all":true}`, killed at
// a random moment, and started again on the same folder. The store must be the seeded state or the
// wiped state, never a mix, never unreadable; and a wipe answered 200 must have reached the disk.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { request } from 'undici';
import type { RunningDevice } from '../../reference-device/start-device.ts';
import {
  DEFAULT_SETTINGS,
  EMPTY_STATE,
  readState,
  SEEDED_STATE,
  seedFixture,
} from '../reference-device/device-harness.ts';
import { ChildDevice } from './child-device.ts';

/** What a kill left on disk. */
export type KillOutcome = 'before' | 'after' | 'half' | 'unreadable';

type Doc = Record<string, unknown>;

/** The seeded document as an `all` wipe must leave it (HTTP-8): every category emptied, settings defaults. */
export function wipedAll(before: Doc): Doc {
  const settings = { ...(before.settings as Doc), ...DEFAULT_SETTINGS };
  return { ...before, permissions: [], identities: [], mediaDevices: [], events: [], settings };
}

/** Classifies the store file's text against the document before and after the wipe. */
export function classifyStore(text: string, before: Doc): KillOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'unreadable';
  }
  if (isDeepStrictEqual(doc, before)) return 'before';
  if (isDeepStrictEqual(doc, wipedAll(before))) return 'after';
  return 'half';
}

export interface KillFigures {
  kills: number;
  before: number;
  after: number;
  halfWiped: number;
  unreadable: number;
  /** The device answered 200 before the kill, yet the wipe was not on disk after it. */
  answeredButLost: number;
  /** The restarted device's management API disagreed with the file. */
  apiMismatch: number;
  /** Kills that left a temp file beside store.json: they landed in the middle of a write. */
  midWrite: number;
  /** Temp files still there once the device had started again (it removes them). */
  leftoverTempFiles: number;
  examples: string[];
}

export interface KillOptions {
  kills: number;
  dataDir: string;
  /**
   * The kill lands uniformly within a window after the wipe is sent, starting at this many ms (default
   * 30); the window widens after a kill that came too early and narrows after one that came too late,
   * so the kills gather around the moment the wipe is written.
   */
  initialWindowMs?: number;
  /** Called after each kill, e.g. to print progress. */
  onKill?: (n: number, outcome: KillOutcome, delayMs: number) => void;
}

// The harness's helpers take a RunningDevice but only use its URL.
function asRunning(url: string): RunningDevice {
  return { url, systemUrl: '', port: 0, systemPort: 0, licenseKey: '', reboots: () => 0, close: async () => {} };
}

function storeFile(dataDir: string): string {
  return join(dataDir, 'store.json');
}

export async function killDuringWipes(options: KillOptions): Promise<KillFigures> {
  const { dataDir } = options;
  let windowMs = options.initialWindowMs ?? 30;
  const figures: KillFigures = {
    kills: 0,
    before: 0,
    after: 0,
    halfWiped: 0,
    unreadable: 0,
    answeredButLost: 0,
    apiMismatch: 0,
    midWrite: 0,
    leftoverTempFiles: 0,
    examples: [],
  };
  const note = (text: string) => {
    if (figures.examples.length < 5) figures.examples.push(text);
  };
  let device = await new ChildDevice().start(dataDir);
  // The next processes load while this one runs; one is started the moment this one is killed.
  const spares = [new ChildDevice(), new ChildDevice()];
  const nextSpare = (): ChildDevice => {
    spares.push(new ChildDevice());
    return spares.shift() as ChildDevice;
  };
  let seeded = false;
  try {
    for (let n = 1; n <= options.kills; n++) {
      // The previous kill left the seeded state (checked through the API after the restart) or not.
      if (!seeded) await seedFixture(asRunning(device.url));
      const before = JSON.parse(readFileSync(storeFile(dataDir), 'utf8')) as Doc;

      let answered = false;
      const wipe = request(`${device.url}/sophon/v2/face/wipedata`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"all":true}',
        reset: true,
      })
        .then(async (response) => {
          const text = await response.body.text();
          if (response.statusCode === 200 && text === '{"result":true}') answered = true;
        })
        .catch(() => {});
      const delayMs = Math.random() * windowMs;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const answeredBeforeKill = answered;
      await device.kill();
      await wipe;
      figures.kills++;

      const outcome = classifyStore(readFileSync(storeFile(dataDir), 'utf8'), before);
      figures[outcome === 'half' ? 'halfWiped' : outcome]++;
      if (outcome === 'half' || outcome === 'unreadable') note(`kill ${n} at ${delayMs.toFixed(1)} ms: ${outcome}`);
      if (answeredBeforeKill && outcome !== 'after') {
        figures.answeredButLost++;
        note(`kill ${n}: answered 200, then the store was ${outcome}`);
      }
      const tempFiles = () => readdirSync(dataDir).filter((name) => name !== 'store.json');
      if (tempFiles().length > 0) figures.midWrite++;

      windowMs = Math.min(500, Math.max(2, windowMs * (outcome === 'before' ? 1.15 : 0.87)));

      try {
        device = await nextSpare().start(dataDir);
      } catch (error) {
        // Only a damaged store keeps the device from starting: counted, then started afresh.
        if (outcome !== 'unreadable') figures.unreadable++;
        note(`kill ${n}: the device did not start again: ${String(error).slice(0, 200)}`);
        rmSync(storeFile(dataDir), { force: true });
        device = await new ChildDevice().start(dataDir);
      }
      figures.leftoverTempFiles += tempFiles().length;
      const state = await readState(asRunning(device.url));
      const expected = outcome === 'before' ? SEEDED_STATE : outcome === 'after' ? EMPTY_STATE : undefined;
      seeded = isDeepStrictEqual(state, SEEDED_STATE);
      if (expected && !isDeepStrictEqual(state, expected)) {
        figures.apiMismatch++;
        note(`kill ${n}: file ${outcome} but the API shows ${JSON.stringify(state)}`);
      }
      options.onKill?.(n, outcome, delayMs);
    }
  } finally {
    await Promise.all([device, ...spares].map((child) => child.stop()));
  }
  return figures;
}
