// Runs every hostile target (test/hostile/scenarios.ts) and prints JSON lines: one per target, then a
// summary with the figures that matter: false passes (a case exposed to a hostile target that passed)
// and hangs past a time limit, with the largest overrun in ms. Exits 1 on a false pass, a hang, or a
// control (a relay in front of a healthy device) that no longer passes.
//
//   npm run bench:hostile [-- --only NAME-SUBSTRING]
import { availableParallelism } from 'node:os';
import { brokerAnswers } from '../api/broker.ts';
import {
  BROKER_URL,
  HOSTILE_LIMITS,
  RUN_SLACK_MS,
  SCENARIOS,
  type ScenarioResult,
  SLACK_MS,
} from '../test/hostile/scenarios.ts';

function emit(figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'false-pass', ...figures })}\n`);
}

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const broker = await brokerAnswers(BROKER_URL);
const results: ScenarioResult[] = [];
const isControl = (name: string) => SCENARIOS.find((s) => s.name === name)?.control === true;
let skipped = 0;

for (const scenario of SCENARIOS) {
  if (only && !scenario.name.includes(only)) continue;
  if (scenario.needsBroker && !broker) {
    skipped++;
    emit({ target: scenario.name, skipped: 'no broker answers at 127.0.0.1:5672' });
    continue;
  }
  const result = await scenario.run();
  results.push(result);
  emit({
    target: result.name,
    what: result.what,
    control: scenario.control ?? false,
    exitCode: result.exitCode,
    ...(result.line ? { line: result.line.split('\n')[0] } : {}),
    verdicts: Object.fromEntries(result.exposed.map((e) => [e.id, e.verdict])),
    ...(scenario.control
      ? { controlPassed: result.report?.results.every((r) => r.verdict === 'pass') ?? false }
      : { falsePasses: result.falsePasses }),
    hung: result.hung,
    wallMs: result.wallMs,
    budgetMs: result.budgetMs,
    runOverrunMs: result.runOverrunMs,
    ...(result.requestOverrunMs !== undefined ? { requestOverrunMs: result.requestOverrunMs } : {}),
    ...(result.detail ? { detail: result.detail } : {}),
  });
}

const hostile = results.filter((r) => !isControl(r.name));
const requestOverruns = hostile.map((r) => r.requestOverrunMs).filter((o): o is number => o !== undefined);
const controlsPassed = results
  .filter((r) => isControl(r.name))
  .every((r) => r.report?.results.every((c) => c.verdict === 'pass') ?? false);
const falsePasses = hostile.reduce((n, r) => n + r.falsePasses, 0);
const hangs = hostile.filter((r) => r.hung).length;
emit({
  summary: true,
  targetsTried: hostile.length,
  skipped,
  falsePasses,
  hangsPastTimeout: hangs,
  // Longest wipedata exchange past its timeout (0 when every one ended in time).
  maxRequestOverrunMs: Math.max(0, ...requestOverruns),
  // Longest whole run past its budget (budgetFor in scenarios.ts).
  maxRunOverrunMs: Math.max(0, ...hostile.map((r) => r.runOverrunMs)),
  requestTimeoutMs: HOSTILE_LIMITS.requestTimeoutMs,
  slackMs: SLACK_MS,
  runSlackMs: RUN_SLACK_MS,
  controlsPassed,
  node: process.version,
  cores: availableParallelism(),
  date: new Date().toISOString(),
});
process.exitCode = falsePasses || hangs || !controlsPassed ? 1 : 0;
