import type { CapabilityManifest } from '../plan/load-capabilities.ts';
import type { AmqpSettings } from '../run/execute-run.ts';
import type { CapabilityName } from '../specs/capabilities.ts';
import { checkBroker } from './check-broker.ts';
import { checkApi, checkState, checkSystemPort } from './check-device.ts';
import { type Finding, ok, problem } from './finding.ts';

/** What `doctor` looks at: the same settings a run would use. */
export interface DoctorSettings {
  target: string;
  systemPort: number | undefined;
  amqp?: AmqpSettings | undefined;
  /** The suite's transports: the MQ checks are only needed when it has MQ cases. */
  needsAmqp: boolean;
  stateAdapter: string;
  recordSource?: string | undefined;
  capabilities?: CapabilityManifest | undefined;
  timeoutMs: number;
}

/** What doctor found: every line, and the capability manifest that follows from it. */
export interface DoctorResult {
  findings: Finding[];
  /** Every known capability: what the checks showed (or, where they cannot show it, what is assumed). */
  capabilities: Record<CapabilityName, boolean>;
  /** Why each capability has its value, for the manifest's comments. */
  reasons: Record<CapabilityName, string>;
  /** Every check held: a certification run can be carried out. */
  ready: boolean;
}

/**
 * The preflight (design §7 doctor): checks what a certification run needs, without changing anything it does
 * not put back, and says for each problem what to do. `onFinding` hears each line as it is found.
 */
export async function runDoctor(
  settings: DoctorSettings,
  onFinding: (finding: Finding) => void = () => {},
): Promise<DoctorResult> {
  const findings: Finding[] = [];
  const add = (...more: Finding[]) => {
    for (const f of more) {
      findings.push(f);
      onFinding(f);
    }
  };
  const target = settings.target.replace(/\/+$/, '');
  const api = await checkApi(target, settings.timeoutMs);
  add(api);
  const declared = settings.capabilities?.declared;
  if (api.ok) {
    const systemUrl = settings.systemPort === undefined ? undefined : withPort(target, settings.systemPort);
    add(...(await checkSystemPort(systemUrl, Math.min(settings.timeoutMs, 3_000))));
    if (settings.stateAdapter === 'sophon-http') {
      add(
        ...(await checkState({
          target,
          systemUrl,
          timeoutMs: settings.timeoutMs,
          recordSource: settings.recordSource,
          recordsNotDeclared: declared?.['can-seed-records'] === false,
        })),
      );
    } else if (settings.stateAdapter === 'none') {
      add(
        problem(
          'state adapter none: no state is seeded or read, so every state expectation would be could-not-test',
          'use the default sophon-http adapter, or a module of your own (--state-adapter PATH)',
        ),
      );
    } else {
      add(ok(`state adapter ${settings.stateAdapter}: your own module; doctor does not check it`));
    }
  }
  let mqWorks = false;
  if (!settings.needsAmqp) {
    add(ok('the suite has no MQ cases: no broker needed'));
  } else if (declared?.['mq-channel'] === false) {
    add(ok('mq-channel is not declared: the MQ cases are not-applicable, no broker needed'));
  } else if (!settings.amqp) {
    add(
      problem(
        'no broker given: the MQ cases of the suite would be could-not-test',
        'pass --amqp URL --command-queue Q --up-queue Q, or --suite http, or declare mq-channel: false',
      ),
    );
  } else {
    const broker = await checkBroker(settings.amqp, target);
    mqWorks = broker.replies;
    add(...broker.findings);
  }
  const records = declared?.['can-seed-records'] !== false;
  return {
    findings,
    ready: findings.every((f) => f.ok),
    capabilities: {
      'mq-channel': mqWorks,
      'reboots-after-mq-wipe': mqWorks,
      'can-seed-records': records,
    },
    reasons: {
      'mq-channel': mqWorks
        ? 'the command queue has a consumer and the device answered a probe'
        : settings.amqp
          ? 'the device did not answer on the MQ channel'
          : 'no broker was given',
      'reboots-after-mq-wipe': mqWorks
        ? 'not checked (it takes a wipe): assumed; set false if the device does not reboot after an MQ wipe (MQ-10)'
        : 'no MQ channel',
      'can-seed-records': !records
        ? 'declared false in --capabilities'
        : settings.recordSource !== undefined
          ? `records are made from --record-source ${settings.recordSource}`
          : 'not tried (it leaves records behind): a run adds a file input and waits for records; set false if the device makes none without a face video',
    },
  };
}

function withPort(target: string, port: number): string {
  const url = new URL(target);
  url.port = String(port);
  return url.toString().replace(/\/+$/, '');
}
