import { randomUUID } from 'node:crypto';
import { type Body, invalidArgument, optionalString, requiredString } from './arguments.ts';
import type { DeviceContext } from './device-context.ts';
import { recogniseEnrolled } from './recognition.ts';
import type { MediaDevice } from './store.ts';
import { VendorError } from './vendor-error.ts';

const MEDIA_DEVICE_TYPES = ['rtsp', 'photo', 'file', 'gb28181'] as const;

/**
 * `addmediadevice`: a front-end input device; URLs are unique. A `file` or `photo` input is "played"
 * at once: every enrolled face is recognised from it, in the same transaction (recognition.ts).
 */
export async function addMediaDevice(
  ctx: DeviceContext,
  body: Body,
): Promise<{ media_device_id: string; media_device_name: string }> {
  const name = requiredString(body, 'media_device_name');
  const typeValue = requiredString(body, 'media_device_type');
  if (!(MEDIA_DEVICE_TYPES as readonly string[]).includes(typeValue)) {
    throw invalidArgument('media_device_type', typeValue, `expected one of ${MEDIA_DEVICE_TYPES.join(', ')}`);
  }
  const url = requiredString(body, 'media_device_url');
  const requestedId = optionalString(body, 'media_device_id');
  const permissionId = optionalString(body, 'permission_id');
  const now = Date.now();
  return ctx.store.commit((doc) => {
    if (doc.mediaDevices.some((device) => device.media_device_url === url)) {
      throw new VendorError('DEVICE_ADDRESS_DUPLICATE_ERROR', url);
    }
    if (requestedId !== undefined && doc.mediaDevices.some((device) => device.media_device_id === requestedId)) {
      throw new VendorError('ID_REPEAT_ERROR', requestedId);
    }
    if (permissionId !== undefined && !doc.permissions.some((group) => group.permission_id === permissionId)) {
      throw new VendorError('PERMISSION_ID_NOT_FOUND', permissionId);
    }
    const device: MediaDevice = {
      media_device_id: requestedId ?? randomUUID(),
      media_device_name: name,
      media_device_type: typeValue,
      media_device_url: url,
      media_device_ip: hostOf(url),
      permission_id: permissionId ?? '',
    };
    doc.mediaDevices.push(device);
    if (device.media_device_type === 'file' || device.media_device_type === 'photo') {
      doc.events.push(...recogniseEnrolled(doc, device, now));
    }
    return { media_device_id: device.media_device_id, media_device_name: device.media_device_name };
  });
}

/** `getmediadevices`: all input devices, or one by id; DEVICE_INIT_ERROR while the device is starting. */
export function getMediaDevices(ctx: DeviceContext, body: Body): unknown {
  if (ctx.isInitializing()) throw new VendorError('DEVICE_INIT_ERROR', 'input devices are still initialising');
  const id = optionalString(body, 'media_device_id');
  const devices = ctx.store.state.mediaDevices.filter((device) => id === undefined || device.media_device_id === id);
  if (id !== undefined && devices.length === 0) throw new VendorError('ID_NOT_FOUND', id);
  return { devices };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
