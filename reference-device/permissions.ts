import { randomUUID } from 'node:crypto';
import { type Body, optionalString, optionalText, paginate, readPage, requiredString } from './arguments.ts';
import type { PermissionGroup, Store } from './store.ts';
import { VendorError } from './vendor-error.ts';

/** `createpermission`: a new permission group; names are unique, ids are generated when omitted. */
export async function createPermission(store: Store, body: Body): Promise<PermissionGroup> {
  const name = requiredString(body, 'permission_name');
  const id = optionalString(body, 'permission_id');
  const description = optionalText(body, 'description') ?? '';
  // Uniqueness is checked inside the transaction, so two concurrent creates cannot both win.
  return store.commit((doc) => {
    if (doc.permissions.some((group) => group.permission_name === name)) {
      throw new VendorError('NAME_REPEAT_ERROR', name);
    }
    if (id !== undefined && doc.permissions.some((group) => group.permission_id === id)) {
      throw new VendorError('ID_REPEAT_ERROR', id);
    }
    const group: PermissionGroup = { permission_id: id ?? randomUUID(), permission_name: name, description };
    doc.permissions.push(group);
    return group;
  });
}

/** `getpermissions`: groups whose name contains `permission_name`, one page at a time. */
export function getPermissions(store: Store, body: Body): unknown {
  const nameFilter = optionalText(body, 'permission_name');
  const page = readPage(body);
  const matching = store.state.permissions.filter(
    (group) => nameFilter === undefined || group.permission_name.includes(nameFilter),
  );
  const { items, pagination } = paginate(matching, page);
  return { permissions: items, pagination };
}
