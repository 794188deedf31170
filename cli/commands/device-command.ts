import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkDeviceSwitches, describeSwitches } from '../../api/device-switches.ts';
import { ConformanceError } from '../../api/errors.ts';
import { redactUrl } from '../../api/redact.ts';
import { type LifecycleEvent, startReferenceDevice } from '../../api/reference-device.ts';
import { intFlag, portFlag } from '../../api/run-flags.ts';

export const DEVICE_USAGE = `Usage: sophon-conformance device [options]

  --port N             API port (default 5555; 0 = a free one)
  --system-port N      system API port: getuptime, getsoftwareversion (default 8888)
  --host ADDRESS       interface to listen on (default 127.0.0.1)
  --boot-ms N          how long a reboot keeps the device down (beats the variant slow-boot's own time)
  --data DIR           where the store lives; survives restarts and kill -9 (default: a temporary folder,
                       removed when the device stops)
  --amqp URL           broker of the MQ command channel (without it the device has no MQ channel)
  --command-queue Q    queue it consumes (default queue-dev-<license>)
  --up-queue Q         queue it replies on (default upload-queue)
  --license KEY        its mq_license_key
  --login-url URL      its MQ_LOGIN_URL, instead of --amqp (variant platform-login-strict): at every boot it
                       logs in there as the vendor's login page documents (GET ?mq_license_key=&device_sn=),
                       tries again every second until the answer is one it can use, then consumes the
                       handed mq_down_queue (e.g. the URL a run --platform-login prints)
  --firmware VERSION   what getsoftwareversion reports (default: reference-device 0.1.0), to simulate builds
  --fault NAME         inject a defect (repeatable); --list-faults lists them
  --variant NAME       behave another way the documents allow (repeatable, combinable across dimensions);
                       --list-variants lists them
  --list-faults        print every fault's name and what it breaks, and exit
  --list-variants      print every variant's name and what it does, and exit
  --quiet              print only the ready line (no line per reboot)`;

/** `device`: the reference device in the foreground; one line when ready, stops on SIGINT/SIGTERM. */
export async function deviceCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'system-port': { type: 'string' },
      'boot-ms': { type: 'string' },
      amqp: { type: 'string' },
      'command-queue': { type: 'string' },
      'up-queue': { type: 'string' },
      license: { type: 'string' },
      'login-url': { type: 'string' },
      firmware: { type: 'string' },
      data: { type: 'string' },
      fault: { type: 'string', multiple: true },
      variant: { type: 'string', multiple: true },
      'list-faults': { type: 'boolean' },
      'list-variants': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(`${DEVICE_USAGE}\n`);
    return 0;
  }
  if (values['list-faults'] || values['list-variants']) {
    if (values['list-faults']) out.write(describeSwitches('faults'));
    if (values['list-variants']) out.write(describeSwitches('variants'));
    return 0;
  }
  checkDeviceSwitches(values.fault ?? [], values.variant ?? []);
  // Every flag is checked before the temporary store is made, so a bad one leaves nothing behind.
  const bootMs = intFlag('boot-ms', values['boot-ms']);
  const port = portFlag('port', values.port) ?? 5555;
  const systemPort = portFlag('system-port', values['system-port']) ?? 8888;
  // Queue names follow sophon-api.md's conventions unless given.
  const loginUrl = values['login-url'];
  if (loginUrl === undefined && values.variant?.includes('platform-login-strict')) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      '--variant platform-login-strict needs --login-url URL: where to log in',
    );
  }
  if (loginUrl !== undefined) {
    if (values.amqp !== undefined || values['command-queue'] !== undefined || values['up-queue'] !== undefined) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        '--login-url: the device is handed its broker and queues at the login; leave out --amqp, --command-queue and --up-queue',
      );
    }
    if (!/^https?:\/\/[^/\s]+/.test(loginUrl)) {
      throw new ConformanceError('CONFIG_INVALID', `--login-url ${loginUrl}: want http://HOST:PORT/PATH`);
    }
  }
  const amqp = values.amqp
    ? {
        url: values.amqp,
        commandQueue: values['command-queue'] ?? `queue-dev-${values.license ?? 'reference'}`,
        upQueue: values['up-queue'] ?? 'upload-queue',
      }
    : undefined;
  // A store the device made for itself goes when it stops (or fails to start); a --data folder stays.
  const dataDir = values.data ?? mkdtempSync(join(tmpdir(), 'sophon-device-'));
  const removeStore = () => {
    if (values.data === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  const device = await startReferenceDevice({
    host: values.host ?? '127.0.0.1',
    port,
    systemPort,
    dataDir,
    // The flag is what the person asked for: it wins over the time a timing variant (slow-boot) brings.
    ...(bootMs !== undefined ? { bootMs, variantTiming: { bootMs } } : {}),
    ...(values.license ? { licenseKey: values.license } : {}),
    ...(values.firmware ? { firmware: values.firmware } : {}),
    faults: values.fault ?? [],
    variants: values.variant ?? [],
    ...(amqp ? { amqp } : {}),
    ...(loginUrl ? { login: { url: loginUrl } } : {}),
    ...(values.quiet ? {} : { onLifecycle: rebootLines(out) }),
  }).catch((error: unknown) => {
    removeStore();
    // A port in use or a folder that cannot be written is put in one line by main (cli/describe-error.ts).
    const message = (error as Error).message;
    if (amqp && /MQ consumer/.test(message)) {
      throw new ConformanceError(
        'BROKER_UNREACHABLE',
        `${message}: is RabbitMQ running there? check --amqp (or leave it out for a device without MQ)`,
      );
    }
    throw error;
  });
  const mq = amqp
    ? ` mq ${redactUrl(amqp.url)} commands ${amqp.commandQueue} replies ${amqp.upQueue}`
    : loginUrl
      ? ` mq from the login at ${loginUrl}`
      : '';
  const faults = (values.fault ?? []).join(',') || 'none';
  const variants =
    [...new Set([...(values.variant ?? []), ...(loginUrl ? ['platform-login-strict'] : [])])].join(',') || 'none';
  const system = device.systemPort ? device.systemUrl : 'none';
  // Listening for the stop before saying ready: whoever reads the line may stop the device at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.write(
    `sophon reference device ready: api ${device.url} system ${system} license ${device.licenseKey}${mq} data ${dataDir} faults ${faults} variants ${variants}\n`,
  );
  await stopped;
  try {
    await device.close();
  } finally {
    removeStore();
  }
  return 0;
}

/**
 * One line when a wipe's reboot takes the device down and one when it is back, so a person watching the
 * device sees a wipe happen; the first boot is the ready line's. Every reboot of the reference device follows
 * a wipedata (over HTTP or MQ) that was answered.
 */
function rebootLines(out: NodeJS.WriteStream): (event: LifecycleEvent) => void {
  let booted = false;
  let downAt = 0;
  const say = (line: string) => out.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
  return (event) => {
    if (event.kind === 'stop-serving') {
      downAt = event.at;
      say('wipedata answered: rebooting (API and system ports closed)');
    } else if (event.kind === 'down') {
      say('down');
    } else if (event.kind === 'ready') {
      if (booted) say(`back: ready again ${event.at - downAt} ms after going down`);
      booted = true;
    }
  };
}
