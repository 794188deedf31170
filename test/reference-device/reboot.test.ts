import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_UP_AT_START_MS } from '../../reference-device/reboot.ts';
import { KNOWN_FAULTS, startDevice } from '../../reference-device/start-device.ts';
import {
  face,
  quiet,
  readState,
  SEEDED_STATE,
  seedFixture,
  send,
  startTestDevice,
  stopTestDevices,
  wipe,
} from './device-harness.ts';

afterEach(stopTestDevices);

/** Whether a TCP connection to the port is accepted right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Sends a wipe on a raw keep-alive connection and notes the instant the whole response (headers and
 * Content-Length bytes) has arrived, and the instant the device closed the connection.
 */
function rawWipe(port: number, body: string): Promise<{ response: string; completeAt: bigint; closedAt: bigint }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let completeAt: bigint | undefined;
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(text)?.[1] ?? Number.NaN);
      if (completeAt === undefined && headerEnd >= 0 && received.length >= headerEnd + 4 + length) {
        completeAt = process.hrtime.bigint();
      }
    });
    socket.on('close', () => {
      if (completeAt === undefined) reject(new Error(`connection closed before the full response: ${received}`));
      else resolve({ response: received.toString('utf8'), completeAt, closedAt: process.hrtime.bigint() });
    });
    socket.on('error', reject);
    socket.write(
      `POST /sophon/v2/face/wipedata HTTP/1.1\r\nHost: device\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

describe('reboot after a successful wipe (HTTP-13, design §5)', () => {
  it('goes down only after the full response was received, drops the connection, comes back ready', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    const { response, completeAt, closedAt } = await rawWipe(device.port, '{"events":true}');
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.endsWith('{"result":true}')).toBe(true);
    const down = await device.waitFor('down', 1);
    const up = await device.waitFor('up', 2);
    const ready = await device.waitFor('ready', 2);
    expect(down.hr > completeAt).toBe(true);
    // The client never closes it: the kept-alive connection was dropped by the reboot, after the answer.
    expect(closedAt > completeAt).toBe(true);
    expect(up.hr - down.hr).toBeGreaterThanOrEqual(50_000_000n);
    expect(ready.hr > up.hr).toBe(true);
    expect(device.reboots()).toBe(1);
  });

  it('both ports are refused while down and accept again after, on the same port numbers', async () => {
    const device = await startTestDevice({ bootMs: 200 });
    expect(await accepts(device.port)).toBe(true);
    expect(await accepts(device.systemPort)).toBe(true);
    await wipe(device, { users: true });
    await device.waitFor('down', 1);
    expect(await accepts(device.port)).toBe(false);
    expect(await accepts(device.systemPort)).toBe(false);
    await device.waitFor('up', 2);
    expect(await accepts(device.port)).toBe(true);
    expect(await accepts(device.systemPort)).toBe(true);
  });

  it('reloads the store from disk on boot: a change made to the file while down is what comes back', async () => {
    const device = await startTestDevice({ bootMs: 150 });
    await seedFixture(device);
    await wipe(device, { events: true });
    await device.waitFor('down', 1);
    const file = join(device.dataDir, 'store.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.permissions.push({ permission_id: 'written-while-down', permission_name: 'offline', description: '' });
    writeFileSync(file, JSON.stringify(doc));
    await device.waitFor('ready', 2);
    const groups = await face(device, 'getpermissions', { permission_name: 'offline' });
    expect(groups.permissions).toEqual([
      { permission_id: 'written-while-down', permission_name: 'offline', description: '' },
    ]);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, permissions: 3, events: 0 });
  });

  it('answers DEVICE_INIT_ERROR on getmediadevices while initialising, then is ready; getconfigs works throughout', async () => {
    const device = await startTestDevice({ initMs: 300 });
    await wipe(device, { events: true });
    await device.waitFor('up', 2);
    const early = await send(device.url, '/sophon/v2/face/getmediadevices', { body: {} });
    expect(early.status).toBe(503);
    expect(early.json).toEqual({ error: { code: 'DEVICE_INIT_ERROR', message: expect.any(String) } });
    expect((await send(device.url, '/sophon/v2/face/getconfigs', { body: {} })).status).toBe(200);
    await device.waitFor('ready', 2);
    expect((await send(device.url, '/sophon/v2/face/getmediadevices', { body: {} })).json).toEqual({ devices: [] });
  });

  it('keeps its license key and its data across the reboot and across a restart', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    await wipe(device, { events: true });
    await device.waitFor('ready', 2);
    const stored = JSON.parse(readFileSync(join(device.dataDir, 'store.json'), 'utf8'));
    expect(stored.licenseKey).toBe(device.licenseKey);
    await device.close();
    const again = await startTestDevice({ dataDir: device.dataDir });
    expect(again.licenseKey).toBe(device.licenseKey);
    expect(await readState(again)).toEqual({ ...SEEDED_STATE, events: 0 });
  });

  it('a licenseKey option is persisted and kept by later starts', async () => {
    const device = await startTestDevice({ licenseKey: 'LAB-KEY-1' });
    expect(device.licenseKey).toBe('LAB-KEY-1');
    await device.close();
    const again = await startTestDevice({ dataDir: device.dataDir });
    expect(again.licenseKey).toBe('LAB-KEY-1');
  });

  it('getuptime counts from the host boot, 3 h 57 min before the start, and starts again at a reboot', async () => {
    const device = await startTestDevice();
    const uptime = async () =>
      (await send(device.systemUrl, '/sophon/v2/system/getuptime')).json as { uptime: string; uptime_ms: number };
    const before = await uptime();
    expect(before.uptime).toBe('3 hours, 57 minutes');
    expect(before.uptime_ms).toBeGreaterThanOrEqual(HOST_UP_AT_START_MS);
    await wipe(device, { events: true });
    await device.waitFor('ready', 2);
    const after = await uptime();
    expect(after.uptime).toBe('0 hours, 0 minutes');
    expect(after.uptime_ms).toBeLessThan(1_000);
  });

  it('fault api-restart-only: down and back after a wipe, but the host clock keeps counting', async () => {
    const device = await startTestDevice({ faults: ['api-restart-only'] });
    const uptime = async () =>
      ((await send(device.systemUrl, '/sophon/v2/system/getuptime')).json as { uptime_ms: number }).uptime_ms;
    const before = await uptime();
    await wipe(device, { events: true });
    await device.waitFor('ready', 2);
    expect(device.reboots()).toBe(1);
    expect(await uptime()).toBeGreaterThan(before);
  });

  it('getsoftwareversion names the reference device', async () => {
    const device = await startTestDevice();
    const answer = await send(device.systemUrl, '/sophon/v2/system/getsoftwareversion');
    expect(answer.json).toEqual({
      nnsdk_version: 'reference-device 0.1.0',
      app_gate_version: 'reference-device 0.1.0',
      app_version_details: expect.stringContaining('reference-device 0.1.0'),
    });
  });

  it('keeps trying its port if someone else took it while it was down', async () => {
    const device = await startTestDevice({ bootMs: 50 });
    await wipe(device, { events: true });
    await device.waitFor('down', 1);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(device.port, '127.0.0.1', resolve));
    await quiet(250);
    expect(device.events.filter((e) => e.kind === 'up')).toHaveLength(1);
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await device.waitFor('ready', 2);
    expect(await accepts(device.port)).toBe(true);
  });

  it('concurrent wipes cause one reboot', async () => {
    // Both answers must be out before the first wipe's reboot: under load the second commit can trail the
    // first by more than the default 20 ms, and its connection would then be cut by that reboot.
    const device = await startTestDevice({ rebootDelayMs: 500 });
    await seedFixture(device);
    const answers = await Promise.all([wipe(device, { events: true }), wipe(device, { users: true })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await device.waitFor('ready', 2);
    await quiet(100);
    expect(device.reboots()).toBe(1);
  });
});

describe('close()', () => {
  it.each(['down', 'up'] as const)('stops cleanly mid-reboot (while %s) and never comes back', async (moment) => {
    const device = await startTestDevice({ bootMs: 100, initMs: 200 });
    await wipe(device, { events: true });
    await device.waitFor(moment, moment === 'down' ? 1 : 2);
    await device.close();
    const seen = device.events.length;
    await quiet(350);
    expect(device.events.length).toBe(seen);
    expect(await accepts(device.port)).toBe(false);
    expect(await accepts(device.systemPort)).toBe(false);
  });

  it('leaves no timers or handles behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const device = await startTestDevice({ bootMs: 100 });
    await wipe(device, { events: true });
    await device.waitFor('down', 1);
    await device.close();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
  });
});

describe('startDevice refuses to start on bad input', () => {
  it('a corrupt store: fails naming the file, and leaves the file as it was', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-refdev-test-'));
    try {
      const file = join(dataDir, 'store.json');
      writeFileSync(file, '{"format":"sophon-reference-device/store/1","licenseKey":"k","permiss');
      await expect(startDevice({ port: 0, systemPort: 0, dataDir })).rejects.toThrow(file);
      expect(readFileSync(file, 'utf8')).toContain('"permiss');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an unknown fault: throws listing the known ones', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-refdev-test-'));
    try {
      const start = startDevice({ port: 0, systemPort: 0, dataDir, faults: ['no-such-fault'] });
      await expect(start).rejects.toThrow(/no-such-fault.*accepts-text-plain/);
      expect(KNOWN_FAULTS.length).toBeGreaterThan(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a port in use: rejects and leaves nothing listening', async () => {
    const first = await startTestDevice();
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-refdev-test-'));
    try {
      await expect(startDevice({ port: 0, systemPort: first.systemPort, dataDir })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
