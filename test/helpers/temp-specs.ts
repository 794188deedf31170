import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway spec root (specs/ and suites/) written from a map of relative path → text. */
export function tempSpecRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sophon-specs-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export const MINIMAL_CLAUSES = `clauses:
  - id: HTTP-2
    level: MUST
    text: Only application/json is accepted.
    source: { document: 000_2427abba6c145ae1.txt, section: 错误码 }
  - id: HTTP-14
    level: MUST
    text: Every failure is a non-200 status with the error envelope.
    source: { document: 000_2427abba6c145ae1.txt, section: 请求失败 }
`;

export const MINIMAL_CASE = `  - id: http.wipedata.content-type.text-plain
    title: text/plain is refused with UNSUPPORT_CONTENT_TYPE
    clauses: [HTTP-2, HTTP-14]
    level: MUST
    tags: [negative]
    given: seeded
    send: { headers: { content-type: text/plain }, body: '{"users":true}' }
    expect: { error: UNSUPPORT_CONTENT_TYPE, state: unchanged, reboot: none }
`;
