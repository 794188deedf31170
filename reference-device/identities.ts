import { createHash, randomUUID } from 'node:crypto';
import {
  type Body,
  has,
  invalidArgument,
  missingArgument,
  optionalBoolean,
  optionalEnum,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalText,
  paginate,
  readPage,
} from './arguments.ts';
import type { Face, Identity, Store } from './store.ts';
import { VendorError } from './vendor-error.ts';

const USER_TYPES = ['employee', 'visitor', 'blacklist', 'stranger', 'vip'] as const;
const FACE_SOURCES = ['register_feature', 'register_image', 'register_image_path'] as const;
const FEATURE_LENGTH = 512;
const DEFAULT_NAME = '佚名';

/** `createidentity`: a person with one face, from exactly one face source (sophon-api.md). */
export async function createIdentity(
  store: Store,
  body: Body,
): Promise<{ identity_id: string; face_id: string; register_image_id: string }> {
  const sources = FACE_SOURCES.filter((source) => has(body, source));
  if (sources.length === 0) throw missingArgument(...FACE_SOURCES);
  if (sources.length > 1) {
    throw new VendorError('INVALID_ARGUMENTS', `exactly one face source allowed, got ${sources.join(', ')}`);
  }
  const face = readFace(body, sources[0] ?? 'register_feature');
  const requestedId = optionalString(body, 'identity_id');
  const name = optionalText(body, 'identity_name') ?? DEFAULT_NAME;
  const userType = optionalEnum(body, 'user_type', USER_TYPES) ?? 'employee';
  const permissionIds = optionalStringList(body, 'permission_ids') ?? [];
  const extUserInfo = optionalObject(body, 'ext_user_info') ?? {};
  const forceReplace = optionalBoolean(body, 'force_replace') ?? false;
  if (has(body, 'fiqa_level') && typeof body.fiqa_level !== 'number' && typeof body.fiqa_level !== 'string') {
    throw invalidArgument('fiqa_level', body.fiqa_level);
  }
  return store.commit((doc) => {
    for (const id of permissionIds) {
      if (!doc.permissions.some((group) => group.permission_id === id)) {
        throw new VendorError('PERMISSION_ID_NOT_FOUND', id);
      }
    }
    const existing = requestedId === undefined ? -1 : doc.identities.findIndex((i) => i.identity_id === requestedId);
    if (existing >= 0 && !forceReplace) throw new VendorError('ID_REPEAT_ERROR', requestedId ?? '');
    const identity: Identity = {
      identity_id: requestedId ?? randomUUID(),
      identity_name: name,
      user_type: userType,
      permission_ids: permissionIds,
      ext_user_info: extUserInfo,
      faces: [face],
    };
    // force_replace: the new registration replaces the old one, faces included.
    if (existing >= 0) doc.identities[existing] = identity;
    else doc.identities.push(identity);
    return {
      identity_id: identity.identity_id,
      face_id: face.face_id,
      register_image_id: face.register_image_id ?? '',
    };
  });
}

/** `getidentities`: the face library, filtered and one page at a time. */
export function getIdentities(store: Store, body: Body): unknown {
  const filters = optionalObject(body, 'filters') ?? {};
  const permissionIds = optionalStringList(filters, 'permission_id_list');
  const nameFilter = optionalText(filters, 'identity_name');
  const idFilter = optionalString(filters, 'identity_id');
  const page = readPage(body);
  const matching = store.state.identities.filter(
    (identity) =>
      (idFilter === undefined || identity.identity_id === idFilter) &&
      (nameFilter === undefined || identity.identity_name.includes(nameFilter)) &&
      (permissionIds === undefined || identity.permission_ids.some((id) => permissionIds.includes(id))),
  );
  const { items, pagination } = paginate(matching, page);
  return {
    identities: items.map((identity) => ({
      identity_id: identity.identity_id,
      identity_name: identity.identity_name,
      user_type: identity.user_type,
      permission_ids: identity.permission_ids,
      ext_user_info: identity.ext_user_info,
      face_ids: identity.faces.map((face) => face.face_id),
      register_image_ids: identity.faces.flatMap((face) => (face.register_image_id ? [face.register_image_id] : [])),
    })),
    pagination,
  };
}

function readFace(body: Body, source: (typeof FACE_SOURCES)[number]): Face {
  const value = body[source];
  if (source === 'register_feature') {
    if (
      !Array.isArray(value) ||
      value.length !== FEATURE_LENGTH ||
      value.some((x) => typeof x !== 'number' || !Number.isFinite(x))
    ) {
      throw invalidArgument(source, value, `expected an array of ${FEATURE_LENGTH} numbers`);
    }
    return { face_id: randomUUID(), register_image_id: null, feature: value as number[] };
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidArgument(source, value, 'expected a non-empty string');
  }
  if (source === 'register_image') {
    const compact = value.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
      throw invalidArgument(source, value, 'expected base64 image data');
    }
  }
  // No face detector here: the "extracted" feature is a deterministic function of the image (or its
  // path), so the same picture always gives the same feature.
  return { face_id: randomUUID(), register_image_id: randomUUID(), feature: featureOf(value) };
}

/** A unit-length 512-float feature derived from `source` by hashing. */
function featureOf(source: string): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < FEATURE_LENGTH; block++) {
    const digest = createHash('sha256').update(`${block}:${source}`).digest();
    for (let i = 0; i + 1 < digest.length && raw.length < FEATURE_LENGTH; i += 2) {
      raw.push(digest.readUInt16BE(i) / 65535 - 0.5);
    }
  }
  const norm = Math.sqrt(raw.reduce((sum, x) => sum + x * x, 0)) || 1;
  return raw.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}
