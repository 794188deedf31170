import type { HttpExchangeEvidence } from '../../src/results/types.ts';
import type { CallbackChannel, MqSession, RunTransports } from '../../src/run/run-transports.ts';
import { SETTING_DEFAULTS } from '../../src/state/sophon-http-adapter.ts';
import type { AmqpEndpoint, PublishProperties } from '../../src/transports/amqp-transport.ts';
import type { ApiAnswer } from '../../src/transports/device-api.ts';
import { type HttpExchange, type HttpRequestSpec, wireBody } from '../../src/transports/http-transport.ts';
import type { ReplyInbox } from '../../src/transports/reply-inbox.ts';

/** How a fake device gets the contract wrong; none: it behaves as the documents say. */
export interface FakeFaults {
  /** Takes any Content-Type as JSON (and so carries out a text/plain wipe). */
  anyContentType?: boolean;
  /** Replies on the up queue without echoing the command's message_id (MQ-7). */
  replyWithoutMessageId?: boolean;
}

const LICENSE_KEY = 'FAKE-LICENSE-1';
/** A reboot after a wipe: the API port refuses connections this long, starting shortly after the answer. */
const GOES_DOWN_AFTER_MS = 20;
const DOWN_FOR_MS = 60;

type Item = Record<string, unknown>;

/**
 * A device in memory, reached only through the run's transports: the management API (the sophon-http adapter
 * seeds and reads through it), the wipedata route, the API port's connects, and the MQ channel (a session whose
 * replies it puts straight into the inbox). No socket is opened.
 */
export class FakeDevice {
  private identities: Item[] = [];
  private permissions: Item[] = [];
  private mediaDevices: Item[] = [];
  private events: Item[] = [];
  private configs: Item = { ...SETTING_DEFAULTS };
  private serial = 0;
  private downFrom = Number.POSITIVE_INFINITY;
  private downUntil = Number.NEGATIVE_INFINITY;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** How many reboots it went through. */
  reboots = 0;

  constructor(private readonly faults: FakeFaults = {}) {}

  readonly transports: RunTransports = {
    sendHttp: async (spec, options) => this.exchange(spec, options.origin),
    callApi: async (_base, path, body) => this.api(path, body),
    tcpConnect: async () => (this.isDown() ? 'ECONNREFUSED' : true),
    openMqSession: async (endpoint, inbox) => this.session(endpoint, inbox),
    startCallbacks: async () => CALLBACKS,
  };

  /** Clears what it scheduled (replies on their way). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private isDown(): boolean {
    const now = performance.now();
    return now >= this.downFrom && now < this.downUntil;
  }

  private reboot(): void {
    this.reboots++;
    this.downFrom = performance.now() + GOES_DOWN_AFTER_MS;
    this.downUntil = this.downFrom + DOWN_FOR_MS;
  }

  private api(path: string, body: unknown): ApiAnswer {
    if (this.isDown()) return { kind: 'unreachable', reason: 'ECONNREFUSED' };
    const command = path.split('/').at(-1) ?? '';
    const args = (body ?? {}) as Item;
    const ok = (data: Item): ApiAnswer => ({ kind: 'ok', status: 200, data });
    const page = (key: string, items: Item[]) => {
      const limit = Number(args.page_limit ?? 100);
      const index = Number(args.page_index ?? 0);
      return ok({ [key]: items.slice(index * limit, (index + 1) * limit), pagination: { total_count: items.length } });
    };
    switch (command) {
      case 'getconfigs':
        return ok({ ...this.configs });
      case 'setconfigs':
        Object.assign(this.configs, args.config_dict as Item);
        return ok({ result: true });
      case 'getmediadevices':
        return ok({ devices: this.mediaDevices });
      case 'getidentities':
        return page('identities', this.identities);
      case 'getpermissions':
        return page('permissions', this.permissions);
      case 'getevents':
        return page('events', this.events);
      case 'createpermission': {
        const permission_id = `p${++this.serial}`;
        this.permissions.push({ permission_id, ...args });
        return ok({ permission_id });
      }
      case 'createidentity': {
        const identity_id = `i${++this.serial}`;
        this.identities.push({ identity_id, face_ids: [`f${this.serial}`] });
        return ok({ identity_id });
      }
      case 'addmediadevice': {
        const media_device_id = `m${++this.serial}`;
        this.mediaDevices.push({ media_device_id, ...args });
        // A file input "recognises" a face at once: a record appears, as on a device playing a face video.
        if (args.media_device_type === 'file') this.events.push({ event_id: `e${++this.serial}` });
        return ok({ media_device_id });
      }
      default:
        return { kind: 'error', status: 404, code: 'HTTP_404', message: `${path} is not served by the fake` };
    }
  }

  /** Carries out a wipe request as the documents say (HTTP-2, HTTP-6…8): what it deletes, then a reboot. */
  private wipe(flags: Item): boolean {
    const all = flags.all === true;
    if (all || flags.users === true) {
      this.identities = [];
      this.permissions = [];
      this.mediaDevices = [];
    }
    if (all || flags.events === true) this.events = [];
    if (all) this.configs = { ...SETTING_DEFAULTS };
    const done = all || flags.users === true || flags.events === true;
    if (done) this.reboot();
    return done;
  }

  private exchange(spec: HttpRequestSpec, origin: number): HttpExchange {
    const since = () => Math.round((performance.now() - origin) * 10) / 10;
    const evidence: HttpExchangeEvidence = {
      request: {
        method: spec.method,
        url: spec.url,
        headers: spec.headers,
        ...(spec.body !== undefined ? { body: wireBody(spec.body) } : {}),
      },
      sentAtMs: since(),
    };
    if (this.isDown()) {
      evidence.error = 'ECONNREFUSED';
      return { evidence, headers: {}, error: 'ECONNREFUSED', completedAt: performance.now() };
    }
    const { status, answer } = this.wipeRoute(spec);
    const body = Buffer.from(JSON.stringify(answer));
    const headers = { 'content-type': 'application/json' };
    evidence.headersAtMs = since();
    evidence.completeAtMs = since();
    evidence.response = { status, headers, body: wireBody(body) };
    return { evidence, status, headers, body, completedAt: performance.now() };
  }

  private wipeRoute(spec: HttpRequestSpec): { status: number; answer: unknown } {
    const refuse = (status: number, code: string, message: string) => ({
      status,
      answer: { error: { code, message } },
    });
    if (!spec.url.endsWith('/sophon/v2/face/wipedata') || spec.method !== 'POST') {
      return refuse(405, 'METHOD_NOT_ALLOWED', 'only POST /sophon/v2/face/wipedata is served');
    }
    const type = spec.headers['content-type'] ?? '';
    if (!this.faults.anyContentType && !type.startsWith('application/json')) {
      return refuse(415, 'UNSUPPORT_CONTENT_TYPE', 'only application/json is accepted');
    }
    let flags: unknown;
    try {
      flags = JSON.parse(spec.body?.toString('utf8') ?? '');
    } catch {
      return refuse(400, 'INVALID_ARGUMENTS', 'the body is not JSON');
    }
    if (!flags || typeof flags !== 'object' || Array.isArray(flags)) {
      return refuse(400, 'INVALID_ARGUMENTS', 'the body is not an object');
    }
    const values = Object.values(flags);
    if (values.length === 0 || values.some((v) => typeof v !== 'boolean')) {
      return refuse(400, 'INVALID_ARGUMENTS', 'the flags must be booleans');
    }
    this.wipe(flags as Item);
    return { status: 200, answer: { result: true } };
  }

  private session(endpoint: AmqpEndpoint, inbox: ReplyInbox): MqSession {
    const reply = (json: unknown) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        inbox.put({ channel: 'up_queue', at: performance.now(), body: Buffer.from(JSON.stringify(json)), meta: {} });
      }, 5);
      this.timers.add(timer);
    };
    return {
      endpoint,
      lost: undefined,
      consumersAtOpen: 1,
      publish: async (body: Buffer, _properties: PublishProperties) => {
        const at = performance.now();
        const command = JSON.parse(body.toString('utf8')) as Item;
        const id = this.faults.replyWithoutMessageId ? undefined : (command.message_id as string | undefined);
        const flags = Object.fromEntries(
          Object.entries(command).filter(([k]) => ['users', 'events', 'all'].includes(k)),
        );
        const valid = Object.values(flags).length > 0 && Object.values(flags).every((v) => typeof v === 'boolean');
        const done = valid && this.wipe(flags);
        reply({
          result: done,
          code: done ? 'EXECUTE_SUCCESS' : 'INVALID_ARGUMENTS',
          message: done ? 'execute success' : 'the flags must be booleans',
          mq_license_key: LICENSE_KEY,
          message_key: 'wipedata',
          ...(id !== undefined ? { message_id: id } : {}),
          ext_data: id !== undefined ? { message_id: id } : {},
        });
        return at;
      },
      purgeCommands: async () => 0,
      commandConsumers: async () => 1,
      commandQueueNow: async () => ({ consumers: 1, messages: 0 }),
      close: async () => {},
    };
  }
}

/** A notify_path receiver nothing calls (the cases run here reply on the up queue). */
const CALLBACKS: CallbackChannel = {
  urlFor: (token) => `http://callbacks.fake/${token}`,
  unreachableUrl: 'http://127.0.0.1:9/unreachable',
  loginUrl: undefined,
  unfinished: () => [],
  close: async () => {},
};
