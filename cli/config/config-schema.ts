import { type Static, Type } from '@sinclair/typebox';
import { KNOWN_REPORTERS } from '../run-options.ts';

// The one source of the config file's vocabulary: specs/schema/config.schema.json is generated from it
// (npm run schema), editors complete keys through that file, and load-config.ts validates with it.

const closed = { additionalProperties: false } as const;
const ms = (description: string, minimum = 1) => Type.Integer({ minimum, description });
const port = (description: string) => Type.Integer({ minimum: 0, maximum: 65535, description });

/** `sophon-conformance.config.yaml`: the settings of `run`; a flag or a SOPHON_* variable overrides each. */
export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    target: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: "The device's API, e.g. http://192.168.1.20:5555 (--target).",
      }),
    ),
    systemPort: Type.Optional(port('System API port (getuptime, getsoftwareversion); 0 = none (--system-port).')),
    amqp: Type.Optional(
      Type.Object(
        {
          url: Type.Optional(
            Type.String({
              pattern: '^amqps?://',
              description: 'Broker of the MQ channel, amqp://user:pass@host:5672/vhost (--amqp).',
            }),
          ),
          commandQueue: Type.Optional(
            Type.String({ minLength: 1, description: "The device's command queue; default queue-dev-<license>." }),
          ),
          upQueue: Type.Optional(
            Type.String({ minLength: 1, description: 'Where replies arrive; default upload-queue.' }),
          ),
          license: Type.Optional(
            Type.String({ minLength: 1, description: "The device's mq_license_key (--license)." }),
          ),
        },
        { ...closed, description: 'The MQ command channel; without url only HTTP cases run.' },
      ),
    ),
    callback: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(
            Type.String({ minLength: 1, description: 'Address a device on another machine reaches the receiver at.' }),
          ),
          listen: Type.Optional(
            Type.String({ minLength: 1, description: 'Interface it listens on; default 127.0.0.1.' }),
          ),
          port: Type.Optional(port('Its port; default a free one.')),
          platformLogin: Type.Optional(
            Type.String({
              pattern: '^/',
              description:
                "Also serve the management platform's login endpoint at this path, e.g. /api/device/login: a device whose MQ_LOGIN_URL points there is handed the run's broker settings (--platform-login).",
            }),
          ),
        },
        { ...closed, description: 'The notify_path receiver (MQ-6), and the login endpoint it can also serve.' },
      ),
    ),
    windows: Type.Optional(
      Type.Object(
        {
          downWithin: Type.Optional(ms('A wiped device must go down within this many ms (default 30000).')),
          upWithin: Type.Optional(ms('... and be ready again within this many ms (default 180000).')),
          quiet: Type.Optional(ms('How long a device that must stay up is watched, ms (default 5000).', 0)),
          probe: Type.Optional(ms('Reboot probe interval, ms (default 20).')),
          timeout: Type.Optional(ms('Per-request timeout, ms (default 10000).', 100)),
          wipeWithin: Type.Optional(
            ms('How long a wipe may take to be answered (HTTP) or replied to (MQ), ms (default 180000).', 100),
          ),
          replyWithin: Type.Optional(ms('How long an MQ reply may take, ms (default 10000).')),
        },
        { ...closed, description: 'Time windows (design §5), in milliseconds.' },
      ),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'Cases that leave the device alone in flight together (default 4); 1 runs every case alone, for a device that cannot take more.',
      }),
    ),
    stateAdapter: Type.Optional(
      Type.String({ minLength: 1, description: 'sophon-http (default), none, or a module path.' }),
    ),
    profile: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('lenient')], { default: 'strict' })),
    suite: Type.Optional(
      Type.String({ minLength: 1, description: 'A suite name or a suite file (default certification).' }),
    ),
    reporters: Type.Optional(
      Type.Array(Type.Union(KNOWN_REPORTERS.map((r) => Type.Literal(r))), {
        minItems: 1,
        uniqueItems: true,
        description: 'Which reports to write (default all).',
      }),
    ),
    out: Type.Optional(Type.String({ minLength: 1, description: 'Where reports go (default reports/out/<run>).' })),
    recordSource: Type.Optional(
      Type.String({ minLength: 1, description: 'A face video/photo URL the device can play to make records.' }),
    ),
    specs: Type.Optional(Type.String({ minLength: 1, description: 'Folder holding specs/ and suites/.' })),
    waivers: Type.Optional(Type.String({ minLength: 1, description: 'Known-failures file (--waivers).' })),
    capabilities: Type.Optional(
      Type.String({ minLength: 1, description: 'What the target supports (--capabilities).' }),
    ),
    ledger: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The results ledger runs record into (--ledger): a file (relative to this file), postgres://…, or off.',
      }),
    ),
  },
  { ...closed, title: 'sophon-conformance config file' },
);

/** A parsed, valid config file. */
export type SophonConfig = Static<typeof ConfigSchema>;

/** The schema file's name under specs/schema/. */
export const CONFIG_SCHEMA_FILE = 'config.schema.json';
