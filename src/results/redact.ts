/**
 * Redaction of secrets in everything the checker records: the one place that decides what a secret
 * is. Applied to each case result before it is printed and to the report before it is written, so
 * every view (console, JSON, JUnit, HTML) shows `***` instead of a credential.
 *
 * A secret is the password of any URL (`amqp://user:pass@host` → `amqp://user:***@host`) and the value
 * of any header whose name looks like one (authorization, cookie, x-api-key, token, secret, password…),
 * wherever headers are recorded (HTTP requests and responses, callback requests, AMQP message
 * headers). A header secret is also masked wherever else its value appears (the curl reproduce line).
 */

export const REDACTED = '***';

const SECRET_NAME =
  /authorization|cookie|api[-_]?key|token|secret|passw(?:or)?d|passphrase|credential|session|signature|private[-_]?key|auth/i;

// scheme://user:password@ — the password ends at the last "@" before the host part.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@'"]*):([^\s/?#'"]*)@/gi;

/** Whether a header (or property) of this name carries a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Hides the password of a URL: `amqp://user:pass@host` → `amqp://user:***@host`. */
export function redactUrl(url: string): string {
  return url.replace(URL_PASSWORD, (_match, head: string, password: string) =>
    password.length ? `${head}:${REDACTED}@` : `${head}:@`,
  );
}

/** A deep copy of `value` with every secret replaced by `***` (see the module comment). */
export function redactDeep<T>(value: T): T {
  const secrets = new Set<string>();
  collectHeaderSecrets(value, secrets, false);
  // Longest first, so a token is not half-replaced by a shorter secret it contains.
  const ordered = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return rewrite(value, ordered, false) as T;
}

function collectHeaderSecrets(value: unknown, secrets: Set<string>, inHeaders: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) collectHeaderSecrets(item, secrets, false);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    if (inHeaders && isSecretName(key) && item !== undefined && item !== null) {
      for (const text of Array.isArray(item) ? item : [item]) {
        const whole = String(text);
        secrets.add(whole);
        // "Bearer abc", "Basic abc", "a=1; b=2": each credential part on its own too.
        for (const part of whole.split(/[\s;,=]+/)) if (part.length >= 8) secrets.add(part);
      }
      continue;
    }
    collectHeaderSecrets(item, secrets, key.toLowerCase() === 'headers');
  }
}

function rewrite(value: unknown, secrets: readonly string[], inHeaders: boolean): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => rewrite(item, secrets, false));
  if (value === null || typeof value !== 'object' || !isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      inHeaders && isSecretName(key) && item !== undefined && item !== null
        ? REDACTED
        : rewrite(item, secrets, key.toLowerCase() === 'headers');
  }
  return out;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function redactText(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
