import { afterEach, describe, expect, it } from 'vitest';
import { createSophonHttpAdapter, variedAddress } from '../../src/state/sophon-http-adapter.ts';
import { face, startTestDevice, stopTestDevices, type TestDevice, wipe } from '../reference-device/device-harness.ts';

// The reference device plays a file input once (records at addmediadevice) and refuses a duplicate URL with
// DEVICE_ADDRESS_DUPLICATE_ERROR (sophon-api.md); an events wipe keeps the input devices (HTTP-7).

afterEach(stopTestDevices);

const adapterFor = (d: TestDevice, recordSource: string) =>
  createSophonHttpAdapter({ target: d.url, runTag: 't1', timeoutMs: 2_000 }, { recordSource, recordWaitMs: 300 });

async function seedThenWipeEvents(d: TestDevice, recordSource: string) {
  const adapter = adapterFor(d, recordSource);
  const first = await adapter.seed(['permissions', 'identities', 'events'], await adapter.read());
  expect(first).toEqual({ unseedable: [], why: {} });
  expect(await wipe(d, { events: true })).toMatchObject({ status: 200 });
  await d.waitFor('ready', 2);
  const emptied = await adapter.read();
  expect(emptied.events).toEqual({ count: 0, ids: [], idsComplete: true });
  return { adapter, emptied };
}

describe('seeding records with --record-source after an events wipe', () => {
  it('adds the http(s) source again under ?sophon-seed=… when the input kept by the wipe makes no more', async () => {
    const d = await startTestDevice();
    const source = 'http://lab.example/videos/face.mp4';
    const { adapter, emptied } = await seedThenWipeEvents(d, source);
    expect(await adapter.seed(['events'], emptied)).toEqual({ unseedable: [], why: {} });
    const after = await adapter.read();
    expect(after.events.count).toBeGreaterThan(0);
    expect(after.events.ids).toHaveLength(after.events.count);
    const urls = ((await face(d, 'getmediadevices', {})).devices as { media_device_url: string }[]).map(
      (m) => m.media_device_url,
    );
    expect(urls).toEqual([source, 'http://lab.example/videos/face.mp4?sophon-seed=t1-1']);
  });

  it('says why and what to give instead when a file:// source cannot be added again', async () => {
    const d = await startTestDevice();
    const { adapter, emptied } = await seedThenWipeEvents(d, 'file:///lab/face.mp4');
    const again = await adapter.seed(['events'], emptied);
    expect(again).toMatchObject({ unseedable: ['events'] });
    const why = (again as { why: { events: string } }).why.events;
    expect(why).toMatch(/already plays --record-source file:\/\/\/lab\/face\.mp4/);
    expect(why).toMatch(/give --record-source an http\(s\) or rtsp URL/);
  });
});

describe('variedAddress', () => {
  it('adds a query parameter to http(s) and rtsp URLs, keeping theirs; none for file:// or a path', () => {
    expect(variedAddress('rtsp://cam/live?x=1', 'a-2')).toBe('rtsp://cam/live?x=1&sophon-seed=a-2');
    expect(variedAddress('https://h/f.mp4', 'a-1')).toBe('https://h/f.mp4?sophon-seed=a-1');
    expect(variedAddress('file:///lab/face.mp4', 'a-1')).toBeUndefined();
    expect(variedAddress('/lab/face.mp4', 'a-1')).toBeUndefined();
  });
});
