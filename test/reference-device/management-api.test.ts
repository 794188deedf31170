import { afterEach, describe, expect, it } from 'vitest';
import {
  type Exchange,
  face,
  feature,
  send,
  startTestDevice,
  stopTestDevices,
  type TestDevice,
} from './device-harness.ts';

afterEach(stopTestDevices);

const call = (device: TestDevice, command: string, body: unknown): Promise<Exchange> =>
  send(device.url, `/sophon/v2/face/${command}`, { body });

function expectError(answer: Exchange, code: string, message?: string): void {
  expect(answer.status).not.toBe(200);
  expect(answer.json).toEqual({ error: { code, message: message ?? expect.any(String) } });
}

describe('permission groups', () => {
  it('creates with a generated UUID or a given id, lists with substring filter and 0-based pages', async () => {
    const device = await startTestDevice();
    const made = await face(device, 'createpermission', { permission_name: 'staff', description: 'all staff' });
    expect(made).toEqual({
      permission_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      permission_name: 'staff',
      description: 'all staff',
    });
    await face(device, 'createpermission', { permission_name: 'staff-night', permission_id: 'p-night' });
    for (let i = 0; i < 11; i++) await face(device, 'createpermission', { permission_name: `g${i}` });
    const first = await face(device, 'getpermissions', {});
    expect((first.permissions as unknown[]).length).toBe(10);
    expect(first.pagination).toEqual({ page_index: 0, page_limit: 10, total_count: 13 });
    const last = await face(device, 'getpermissions', { page_index: 1 });
    expect((last.permissions as unknown[]).length).toBe(3);
    const staff = await face(device, 'getpermissions', { permission_name: 'staff' });
    expect((staff.permissions as { permission_id: string }[]).map((p) => p.permission_id)).toEqual([
      made.permission_id,
      'p-night',
    ]);
  });

  it('refuses repeats and bad arguments', async () => {
    const device = await startTestDevice();
    await face(device, 'createpermission', { permission_name: 'staff', permission_id: 'p1' });
    expectError(await call(device, 'createpermission', { permission_name: 'staff' }), 'NAME_REPEAT_ERROR', 'staff');
    expectError(
      await call(device, 'createpermission', { permission_name: 'x', permission_id: 'p1' }),
      'ID_REPEAT_ERROR',
      'p1',
    );
    expectError(await call(device, 'createpermission', {}), 'MISSING_ARGUMENTS', 'missing permission_name');
    expectError(await call(device, 'createpermission', { permission_name: '' }), 'INVALID_ARGUMENTS');
    expectError(await call(device, 'getpermissions', { page_limit: 0 }), 'INVALID_ARGUMENTS');
    expectError(await call(device, 'getpermissions', { page_index: -1 }), 'INVALID_ARGUMENTS');
  });
});

describe('identities with faces', () => {
  it('registers from a 512-float feature, an image or an image path, and lists them with filters', async () => {
    const device = await startTestDevice();
    const group = await face(device, 'createpermission', { permission_name: 'staff' });
    const alice = await face(device, 'createidentity', {
      identity_name: 'alice',
      register_feature: feature(1),
      permission_ids: [group.permission_id],
      ext_user_info: { badge: 7 },
    });
    expect(alice).toEqual({ identity_id: expect.any(String), face_id: expect.any(String), register_image_id: '' });
    const bob = await face(device, 'createidentity', {
      identity_id: 'bob',
      register_image: Buffer.from('not really a jpeg').toString('base64'),
      user_type: 'visitor',
    });
    expect(bob.identity_id).toBe('bob');
    expect(bob.register_image_id).not.toBe('');
    await face(device, 'createidentity', { register_image_path: '/data/faces/carol.jpg' });
    const all = await face(device, 'getidentities', {});
    expect(all.pagination).toEqual({ page_index: 0, page_limit: 10, total_count: 3 });
    expect((all.identities as unknown[])[0]).toEqual({
      identity_id: alice.identity_id,
      identity_name: 'alice',
      user_type: 'employee',
      permission_ids: [group.permission_id],
      ext_user_info: { badge: 7 },
      face_ids: [alice.face_id],
      register_image_ids: [],
    });
    expect(((all.identities as unknown[])[2] as { identity_name: string }).identity_name).toBe('佚名');
    const inGroup = await face(device, 'getidentities', { filters: { permission_id_list: [group.permission_id] } });
    expect((inGroup.identities as { identity_id: string }[]).map((i) => i.identity_id)).toEqual([alice.identity_id]);
    const byId = await face(device, 'getidentities', { filters: { identity_id: 'bob' } });
    expect((byId.identities as { register_image_ids: string[] }[])[0]?.register_image_ids).toEqual([
      bob.register_image_id,
    ]);
  });

  it('refuses bad face sources, unknown groups and repeated ids; force_replace replaces', async () => {
    const device = await startTestDevice();
    expectError(await call(device, 'createidentity', { identity_name: 'x' }), 'MISSING_ARGUMENTS');
    expectError(await call(device, 'createidentity', { register_feature: feature(1).slice(1) }), 'INVALID_ARGUMENTS');
    expectError(
      await call(device, 'createidentity', { register_feature: [...feature(1).slice(1), 'x'] }),
      'INVALID_ARGUMENTS',
    );
    expectError(
      await call(device, 'createidentity', { register_feature: feature(1), register_image_path: '/a.jpg' }),
      'INVALID_ARGUMENTS',
    );
    expectError(await call(device, 'createidentity', { register_image: '***' }), 'INVALID_ARGUMENTS');
    expectError(
      await call(device, 'createidentity', { register_feature: feature(1), user_type: 'boss' }),
      'INVALID_ARGUMENTS',
    );
    expectError(
      await call(device, 'createidentity', { register_feature: feature(1), permission_ids: ['nope'] }),
      'PERMISSION_ID_NOT_FOUND',
      'nope',
    );
    await face(device, 'createidentity', { identity_id: 'p1', identity_name: 'first', register_feature: feature(1) });
    expectError(
      await call(device, 'createidentity', { identity_id: 'p1', register_feature: feature(2) }),
      'ID_REPEAT_ERROR',
      'p1',
    );
    const replaced = await face(device, 'createidentity', {
      identity_id: 'p1',
      identity_name: 'second',
      register_feature: feature(2),
      force_replace: true,
    });
    const list = await face(device, 'getidentities', {});
    expect(list.identities).toEqual([
      expect.objectContaining({ identity_id: 'p1', identity_name: 'second', face_ids: [replaced.face_id] }),
    ]);
  });
});

describe('input devices and the recognition simulation', () => {
  it('adds devices with unique URLs, lists all or one', async () => {
    const device = await startTestDevice();
    const cam = await face(device, 'addmediadevice', {
      media_device_name: 'gate',
      media_device_type: 'rtsp',
      media_device_url: 'rtsp://10.1.2.3:554/live',
    });
    expect(cam).toEqual({ media_device_id: expect.any(String), media_device_name: 'gate' });
    expect((await face(device, 'getmediadevices', {})).devices).toEqual([
      {
        media_device_id: cam.media_device_id,
        media_device_ip: '10.1.2.3',
        media_device_url: 'rtsp://10.1.2.3:554/live',
        media_device_name: 'gate',
        media_device_type: 'rtsp',
        permission_id: '',
      },
    ]);
    expect((await face(device, 'getmediadevices', { media_device_id: cam.media_device_id })).devices).toHaveLength(1);
    expectError(await call(device, 'getmediadevices', { media_device_id: 'nope' }), 'ID_NOT_FOUND', 'nope');
    expectError(
      await call(device, 'addmediadevice', {
        media_device_name: 'b',
        media_device_type: 'rtsp',
        media_device_url: 'rtsp://10.1.2.3:554/live',
      }),
      'DEVICE_ADDRESS_DUPLICATE_ERROR',
    );
    expectError(
      await call(device, 'addmediadevice', { media_device_name: 'b', media_device_type: 'usb', media_device_url: 'x' }),
      'INVALID_ARGUMENTS',
    );
    expectError(
      await call(device, 'addmediadevice', {
        media_device_name: 'b',
        media_device_type: 'rtsp',
        media_device_url: 'y',
        permission_id: 'nope',
      }),
      'PERMISSION_ID_NOT_FOUND',
    );
    expectError(
      await call(device, 'addmediadevice', { media_device_name: 'b', media_device_type: 'rtsp' }),
      'MISSING_ARGUMENTS',
    );
  });

  it('a file or photo input records one recognition per enrolled face; rtsp records none', async () => {
    const device = await startTestDevice();
    await face(device, 'createidentity', { identity_id: 'a', identity_name: 'alice', register_feature: feature(1) });
    await face(device, 'createidentity', { identity_id: 'b', identity_name: 'bob', register_feature: feature(2) });
    await face(device, 'addmediadevice', {
      media_device_name: 'cam',
      media_device_type: 'rtsp',
      media_device_url: 'rtsp://h/1',
    });
    expect((await face(device, 'getevents', {})).pagination).toEqual({ page_index: 0, page_limit: 10, total_count: 0 });
    const video = await face(device, 'addmediadevice', {
      media_device_name: 'video',
      media_device_type: 'file',
      media_device_url: 'file:///v.mp4',
    });
    await face(device, 'addmediadevice', {
      media_device_name: 'pic',
      media_device_type: 'photo',
      media_device_url: 'file:///p.jpg',
    });
    const events = await face(device, 'getevents', { page_limit: 100 });
    expect(events.pagination).toEqual({ page_index: 0, page_limit: 100, total_count: 4 });
    const list = events.events as Record<string, unknown>[];
    expect(list[3]).toEqual({
      event_id: expect.any(String),
      timestamp: expect.any(Number),
      identity_id: 'a',
      identity_name: 'alice',
      user_type: 'employee',
      score: expect.any(Number),
      media_device_info: {
        media_device_id: video.media_device_id,
        media_device_name: 'video',
        media_device_type: 'file',
      },
    });
    for (const event of list) expect(event.score).toBeGreaterThanOrEqual(82);
    const forBob = await face(device, 'getevents', { filters: { identity_id: 'b' } });
    expect(forBob.pagination).toEqual({ page_index: 0, page_limit: 10, total_count: 2 });
  });
});

describe('smart settings', () => {
  it('reads all or one, sets several at once, refuses unknown keys and bad values without changing anything', async () => {
    const device = await startTestDevice();
    expect(await face(device, 'getconfigs', { config_name: 'GATE_PASS_MODE' })).toEqual({ GATE_PASS_MODE: 'normal' });
    expect(
      await face(device, 'setconfigs', { config_dict: { MATCH_THRESHOLD: 90, GATE_PASS_MODE: 'allpass' } }),
    ).toEqual({
      MATCH_THRESHOLD: 90,
      GATE_PASS_MODE: 'allpass',
    });
    expectError(
      await call(device, 'setconfigs', { config_dict: { MATCH_THRESHOLD: 70, GATE_WORK_MODE: 1 } }),
      'INVALID_ARGUMENTS',
    );
    expectError(await call(device, 'setconfigs', { config_dict: { MATCH_THRESHOLD: 'high' } }), 'INVALID_ARGUMENTS');
    expectError(await call(device, 'setconfigs', { config_dict: { GATE_PASS_MODE: 'open' } }), 'INVALID_ARGUMENTS');
    expectError(await call(device, 'setconfigs', {}), 'MISSING_ARGUMENTS');
    expectError(await call(device, 'getconfigs', { config_name: 'NOPE' }), 'INVALID_ARGUMENTS');
    expect(await face(device, 'getconfigs', {})).toEqual({
      MATCH_THRESHOLD: 90,
      GATE_DUPLICATE_REMOVAL_TIMEOUT: 6,
      GATE_PASS_MODE: 'allpass',
      GATE_SUPPORT_STRANGER_GROUP: false,
      HISTORY_REPORT_PEROID: 5,
      MEDIA_DEVICE_MONITOR_REPORT_PEROID: 60,
    });
  });
});

describe('the management commands share the wipedata request rules', () => {
  it('refuses other content types and non-object JSON with the same envelope', async () => {
    const device = await startTestDevice();
    const typed = await send(device.url, '/sophon/v2/face/getconfigs', { contentType: 'text/plain', body: '{}' });
    expect(typed.status).toBe(415);
    expectError(typed, 'UNSUPPORT_CONTENT_TYPE');
    expectError(await call(device, 'getconfigs', '[]'), 'INVALID_REQUEST_JSON');
    expectError(await call(device, 'getconfigs', ''), 'INVALID_REQUEST_JSON');
    expect((await send(device.url, '/sophon/v2/face/getconfigs', { method: 'GET' })).status).toBe(405);
  });
});
