import { describe, expect, it } from 'vitest';
import { isSecretName, REDACTED, redactDeep, redactUrl } from '../../src/results/redact.ts';

describe('redaction', () => {
  it('hides the password of a URL, whatever the scheme, and leaves the rest alone', () => {
    expect(redactUrl('amqp://user:pass@127.0.0.1:5672/vhost')).toBe('amqp://user:***@127.0.0.1:5672/vhost');
    expect(redactUrl('amqps://u:p%40ss@broker:5671')).toBe('amqps://u:***@broker:5671');
    expect(redactUrl('http://admin:s3cret@10.0.0.2:5555/x')).toBe('http://admin:***@10.0.0.2:5555/x');
    expect(redactUrl('amqp://127.0.0.1:5672')).toBe('amqp://127.0.0.1:5672');
    expect(redactUrl('amqp://user@host')).toBe('amqp://user@host');
    expect(redactUrl('cannot connect to amqp://guest:guest@127.0.0.1:5672: refused')).toBe(
      'cannot connect to amqp://guest:***@127.0.0.1:5672: refused',
    );
  });

  it('knows a secret header by its name', () => {
    for (const name of [
      'authorization',
      'Proxy-Authorization',
      'cookie',
      'set-cookie',
      'x-api-key',
      'x-auth-token',
      'x-client-secret',
      'password',
      'x-session-id',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['content-type', 'content-length', 'host', 'connection', 'accept', 'x-request-id', 'date']) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it('redacts secret headers wherever headers are recorded, and their values anywhere else', () => {
    const token = 'tok-0123456789abcdef';
    const result = {
      id: 'x',
      evidence: {
        http: [
          {
            request: {
              url: 'http://127.0.0.1:5555/a',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
            },
            response: { headers: { 'set-cookie': 'sid=abcdefgh12345678; Path=/', 'content-type': 'application/json' } },
          },
        ],
        amqp: {
          broker: 'amqp://guest:guest@127.0.0.1:5672',
          published: [{ properties: { headers: { 'x-api-key': 'key-abcdef' } } }],
        },
        reproduce: `curl -H 'authorization: Bearer ${token}' http://127.0.0.1:5555/a`,
        notes: [`sent ${token}`],
      },
    };
    const redacted = redactDeep(result);
    const text = JSON.stringify(redacted);
    expect(text).not.toContain(token);
    expect(text).not.toContain('abcdefgh12345678');
    expect(text).not.toContain('key-abcdef');
    expect(text).not.toContain('guest:guest');
    expect(redacted.evidence.http[0]?.request.headers.authorization).toBe(REDACTED);
    expect(redacted.evidence.http[0]?.request.headers['content-type']).toBe('text/plain');
    expect(redacted.evidence.reproduce).toBe(`curl -H 'authorization: ${REDACTED}' http://127.0.0.1:5555/a`);
    expect(redacted.evidence.amqp.broker).toBe('amqp://guest:***@127.0.0.1:5672');
    // A copy: the input is untouched, and redacting twice changes nothing more.
    expect(result.evidence.http[0]?.request.headers.authorization).toBe(`Bearer ${token}`);
    expect(redactDeep(redacted)).toEqual(redacted);
  });
});
