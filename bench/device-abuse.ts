// The reference device under abuse (issue 7): fuzzed HTTP and MQ input, kill -9 during wipes, broker
// connection cuts during a command stream. Prints one JSON line per part, then a summary line; exits 1
// if anything went wrong. Needs RabbitMQ on 127.0.0.1:5672 (or SOPHON_AMQP_URL) for the MQ parts.
//   npx tsx bench/device-abuse.ts [--kills 200] [--fuzz-runs 2000] [--commands 300] [--seed N] [--only http,mq,kill,cut]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { streamThroughCuts } from '../test/robustness/broker-cut.ts';
import type { FuzzFigures } from '../test/robustness/fuzz-figures.ts';
import { fuzzHttpInject } from '../test/robustness/http-fuzz.ts';
import { fuzzHttpSocket } from '../test/robustness/http-socket-fuzz.ts';
import { killDuringWipes } from '../test/robustness/kill-during-wipe.ts';
import { fuzzMq } from '../test/robustness/mq-fuzz.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    'fuzz-runs': { type: 'string', default: '2000' },
    commands: { type: 'string', default: '300' },
    seed: { type: 'string' },
    only: { type: 'string', default: 'http,mq,kill,cut' },
  },
});
const count = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return value;
};
const kills = count('kills', values.kills);
const fuzzRuns = count('fuzz-runs', values['fuzz-runs']);
const commands = count('commands', values.commands);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : count('seed', values.seed);
const parts = new Set(values.only.split(','));

const summary = {
  bench: 'device-abuse',
  part: 'summary',
  seed,
  inputsTried: 0,
  crashes: 0,
  wipesOnInvalidInput: 0,
  nonEnvelopeAnswers: 0,
  wrongCodes: 0,
  validMishandled: 0,
  kill9Runs: 0,
  halfWipedStates: 0,
  unreadableStores: 0,
  answeredButLost: 0,
  commandsSent: 0,
  commandsLost: 0,
  commandsDoubled: 0,
  commandsUnanswered: 0,
  brokerCuts: 0,
  devicesStuck: 0,
};

function line(part: string, figures: object, started: number): void {
  process.stdout.write(`${JSON.stringify({ bench: 'device-abuse', part, ...figures, ms: Date.now() - started })}\n`);
}

function addFuzz(figures: FuzzFigures): void {
  summary.inputsTried += figures.inputs;
  summary.crashes += figures.crashes;
  summary.wipesOnInvalidInput += figures.wipesOnInvalid;
  summary.nonEnvelopeAnswers += figures.nonEnvelope;
  summary.wrongCodes += figures.wrongCode;
  summary.validMishandled += figures.validMishandled;
}

const total = Date.now();
if (parts.has('http')) {
  let started = Date.now();
  const inject = await fuzzHttpInject({ runs: fuzzRuns, seed });
  line('http-inject', inject, started);
  addFuzz(inject);
  started = Date.now();
  const socket = await fuzzHttpSocket({ runs: Math.ceil(fuzzRuns / 4), seed });
  line('http-socket', socket, started);
  addFuzz(socket);
}
if (parts.has('mq')) {
  const started = Date.now();
  const mq = await fuzzMq({ runs: Math.ceil(fuzzRuns / 4), seed });
  line('mq', mq, started);
  addFuzz(mq);
}
if (parts.has('kill') && kills > 0) {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-abuse-kill-'));
  try {
    const figures = await killDuringWipes({
      kills,
      dataDir,
      onKill: (n) => {
        if (n % 25 === 0) process.stderr.write(`device-abuse: ${n}/${kills} kills\n`);
      },
    });
    line('kill-9', figures, started);
    summary.kill9Runs += figures.kills;
    summary.halfWipedStates += figures.halfWiped;
    summary.unreadableStores += figures.unreadable;
    summary.answeredButLost += figures.answeredButLost + figures.apiMismatch;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
if (parts.has('cut') && commands > 0) {
  const started = Date.now();
  const figures = await streamThroughCuts({ commands, wipeEvery: 10, cutEveryMs: 250, cutForMs: 200 });
  line('broker-cut', figures, started);
  summary.commandsSent += figures.sent;
  summary.commandsLost += figures.lost;
  summary.commandsDoubled += figures.doubled;
  summary.commandsUnanswered += figures.unanswered;
  summary.brokerCuts += figures.cuts;
  summary.devicesStuck += figures.deviceClosed ? 0 : 1;
}
process.stdout.write(`${JSON.stringify({ ...summary, ms: Date.now() - total })}\n`);
const bad =
  summary.crashes +
  summary.wipesOnInvalidInput +
  summary.nonEnvelopeAnswers +
  summary.wrongCodes +
  summary.validMishandled +
  summary.halfWipedStates +
  summary.unreadableStores +
  summary.answeredButLost +
  summary.commandsLost +
  summary.commandsDoubled +
  summary.commandsUnanswered +
  summary.devicesStuck;
// A device that did not close (figures say which) must not keep the benchmark from ending.
process.exit(bad > 0 ? 1 : 0);
