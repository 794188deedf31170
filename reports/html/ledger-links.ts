// The ledger pages' addresses, in one place: the pages write them and serve's routes read them back.

/** A build as the pages name it: firmware × device × spec hash (device and spec hash optional: all of them). */
export interface BuildRef {
  firmware: string;
  device?: string;
  specHash?: string;
}

/** How a build of runs with no firmware reading appears in an address (the CLI prints it the same way). */
export const UNKNOWN_FIRMWARE = '(unknown)';

export const BUILDS_HREF = '/builds';

function query(ref: BuildRef): string {
  const params = new URLSearchParams();
  if (ref.device !== undefined) params.set('device', ref.device);
  if (ref.specHash !== undefined) params.set('spec', ref.specHash);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function segment(firmware: string): string {
  return encodeURIComponent(firmware === '' ? UNKNOWN_FIRMWARE : firmware);
}

/** A build's clause matrix. */
export function buildHref(ref: BuildRef): string {
  return `/builds/${segment(ref.firmware)}${query(ref)}`;
}

/** A build's certificate (or the page saying why there is none). */
export function certificateHref(ref: BuildRef): string {
  return `/builds/${segment(ref.firmware)}/certificate${query(ref)}`;
}

/** One clause's verdicts across builds (of one device, or of each device). */
export function clauseHref(clause: string, device?: string): string {
  return `/clauses/${encodeURIComponent(clause)}${device === undefined ? '' : `?device=${encodeURIComponent(device)}`}`;
}

/** A recorded run's own HTML report, opened from the ledger; `caseId` opens it at that case. */
export function ledgerRunHref(runId: string, caseId?: string): string {
  return `/ledger/runs/${encodeURIComponent(runId)}/${caseId === undefined ? '' : `#case=${encodeURIComponent(caseId)}`}`;
}

/** The firmware named by an address segment (already URL-decoded). */
export function firmwareOfSegment(segmentText: string): string {
  return segmentText === UNKNOWN_FIRMWARE ? '' : segmentText;
}
