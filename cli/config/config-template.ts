import { dirname, relative, resolve, sep } from 'node:path';
import { PROJECT_ROOT } from '../tool-info.ts';
import { CONFIG_SCHEMA_FILE } from './config-schema.ts';

/**
 * The commented config file `init` writes. Every value set here is the default, so a fresh file changes
 * nothing until it is edited; a SOPHON_* variable or a flag still overrides each key.
 */
export function configTemplate(configFile: string): string {
  const schemaFile = resolve(PROJECT_ROOT, 'specs', 'schema', CONFIG_SCHEMA_FILE);
  // Relative when the tool is below the file's folder (node_modules, or this repository), else absolute.
  const rel = relative(dirname(configFile), schemaFile).split(sep).join('/');
  const schema = rel.startsWith('..') ? schemaFile : `./${rel}`;
  return `# yaml-language-server: $schema=${schema}
# sophon-conformance settings for \`sophon-conformance run\`. Precedence: a flag beats a SOPHON_*
# environment variable, which beats this file, which beats the defaults. Relative paths are relative to
# this file's folder. \`sophon-conformance run --help\` explains each setting.

# The device under test. DESTRUCTIVE: the certification suite wipes and reboots it many times.
# target: http://192.168.1.20:5555
systemPort: 8888            # system API (getuptime, getsoftwareversion); 0 = none

suite: certification        # certification, smoke, http, amqp, or a suite file
profile: strict             # strict | lenient
stateAdapter: sophon-http   # sophon-http | none | ./my-adapter.mjs

# The MQ command channel; leave out to run the HTTP cases only.
# amqp:
#   url: amqp://user:pass@broker.lab:5672/vhost
#   commandQueue: queue-dev-LICENSE   # default queue-dev-<license>
#   upQueue: upload-queue
#   license: LICENSE                  # the device's mq_license_key

# The notify_path receiver (MQ-6), when the device is on another machine.
# callback:
#   host: 10.0.0.5          # the address the device reaches this machine at
#   listen: 0.0.0.0
#   port: 9010
#   platformLogin: /api/device/login   # also play the platform's login URL (MQ_LOGIN_URL)

windows:                    # milliseconds
  downWithin: 30000         # a wiped device must go down within this
  upWithin: 180000          # ... and be ready again within this
  quiet: 5000               # how long a device that must stay up is watched
  probe: 20                 # reboot probe interval
  timeout: 10000            # per-request timeout
  wipeWithin: 180000        # how long a wipe may take to be answered: it waits for the data to go
  replyWithin: 10000        # how long an MQ reply may take

# concurrency: 4          # cases that leave the device alone in flight together; 1 = every case alone
# reporters: [console, json, junit, html]
# out: reports/out/lab-1
# waivers: ./waivers.yaml
# capabilities: ./capabilities.yaml
# ledger: ./reports/ledger/ledger.sqlite   # or postgres://user@host:5432/db, or off
`;
}
