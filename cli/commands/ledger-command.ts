import { parseArgs } from 'node:util';
import { ConformanceError } from '../../api/errors.ts';
import { type ImportOutcome, importRuns } from '../../api/ledger/import-runs.ts';
import {
  type BuildDiff,
  type BuildStatus,
  type BuildSummary,
  findLedger,
  type LedgerRun,
  openLedgerAt,
} from '../../api/ledger/open-ledger.ts';

export const LEDGER_USAGE = `Usage: sophon-conformance ledger COMMAND [options]

  builds [--device D]                      the firmware builds recorded, each with its gate
  status --firmware V [--device D]         every run of build V merged: each clause and case with its verdict
         [--spec-hash H]                   and the run that gave it; what is missing. Exit 0 certified,
                                           1 a case fails or is flaky, 3 incomplete
  diff OLD NEW [--device D]                regressions (passed on OLD, fail on NEW), progressions, new
                                           could-not-test, flaky cases. Exit 1 on a MUST regression
  runs [--firmware V] [--device D]         the runs recorded, with their ids
  import PATH…                             record existing runs: run folders, report.json files, certification
                                           bundles, a lab's folder or bundle, or a folder of run folders
  set-aside RUN --why "…"                  take a run out of its build's evidence (kept, and shown by status)

  --ledger PATH|postgres://…  the ledger (default: SOPHON_LEDGER, else the config file's ledger key, else
                              reports/ledger/ledger.sqlite)
  --config FILE               settings file (default ./sophon-conformance.config.yaml)
  --json                      print the answer as JSON (for machines)

A build's runs merge on one spec hash: a could-not-test is no evidence and a later verdict fills it in; a
failure is evidence that a later pass on the same build never hides (the case is flaky) unless its run is set
aside. A fixed firmware is a new build with its own evidence. Errors (a ledger that cannot be opened, a
refused report, an unknown build) exit 2 with one line.`;

const FLAGS = {
  ledger: { type: 'string' },
  json: { type: 'boolean' },
  device: { type: 'string' },
  firmware: { type: 'string' },
  'spec-hash': { type: 'string' },
  why: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `ledger …`: the results ledger across firmware builds. */
export async function ledgerCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
  const [sub, ...args] = positionals;
  if (values.help || sub === undefined || sub === 'help') {
    out.write(`${LEDGER_USAGE}\n`);
    return values.help || sub === 'help' ? 0 : 2;
  }
  const location = findLedger(values);
  const want = (n: number, shape: string) => {
    if (args.length !== n) throw new ConformanceError('CONFIG_INVALID', `ledger ${sub} takes ${shape}`);
  };
  if (!['builds', 'status', 'diff', 'runs', 'import', 'set-aside'].includes(sub)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `unknown ledger command "${sub}" (builds, status, diff, runs, import, set-aside)`,
    );
  }
  // Commands that only read must not create a ledger where there is none (a typo in --ledger).
  const store = await openLedgerAt(location, { reading: sub !== 'import' && sub !== 'set-aside' });
  if (store.notice) process.stderr.write(`sophon-conformance: ${store.notice}\n`);
  const print = (data: unknown, text: () => string[]) =>
    out.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${text().join('\n')}\n`);
  try {
    switch (sub) {
      case 'builds': {
        want(0, 'no argument: ledger builds [--device D]');
        const builds = await store.builds(values.device);
        print({ ledger: store.location, builds }, () => renderBuilds(store.location, builds));
        return 0;
      }
      case 'status': {
        want(0, 'its build as --firmware V: ledger status --firmware 6.2.4');
        if (values.firmware === undefined) {
          throw new ConformanceError('CONFIG_INVALID', 'ledger status needs --firmware V (ledger builds lists them)');
        }
        const status = await store.status(values.firmware, values.device, {
          ...(values['spec-hash'] ? { specHash: values['spec-hash'] } : {}),
        });
        print({ ledger: store.location, ...status }, () => renderStatus(status));
        return status.exitCode;
      }
      case 'diff': {
        want(2, 'two builds: ledger diff OLD NEW');
        const [older = '', newer = ''] = args;
        const diff = await store.diff(older, newer, values.device);
        print({ ledger: store.location, ...diff }, () => renderDiff(diff));
        return diff.exitCode;
      }
      case 'runs': {
        want(0, 'no argument: ledger runs [--firmware V] [--device D]');
        const runs = await store.runs(values.firmware, values.device);
        print({ ledger: store.location, runs }, () => [
          ...runs.map(runLine),
          `${runs.length} runs in ${store.location}`,
        ]);
        return 0;
      }
      case 'set-aside': {
        want(1, 'one run id: ledger set-aside RUN --why "…"');
        if (!values.why?.trim())
          throw new ConformanceError('CONFIG_INVALID', 'ledger set-aside needs --why "…": the reason is kept');
        const run = await store.setAside(args[0] ?? '', values.why);
        print(run, () => [`set aside run ${run.id} of firmware ${run.firmware || '(unknown)'}: ${run.setAside?.why}`]);
        return 0;
      }
      default:
        if (!args.length) throw new ConformanceError('CONFIG_INVALID', 'ledger import takes the runs to record: PATH…');
        return printImports(store.location, await importRuns(store, args), out, values.json === true);
    }
  } finally {
    await store.close();
  }
}

/** What `ledger import` did, one line a report (or JSON); a refused report makes it exit 2. */
function printImports(location: string, outcomes: ImportOutcome[], out: NodeJS.WriteStream, json: boolean): number {
  if (json) out.write(`${JSON.stringify({ ledger: location, imported: outcomes }, null, 2)}\n`);
  else {
    for (const o of outcomes) {
      out.write(
        o.refused
          ? `refused  ${o.source}: ${o.refused}\n`
          : `${o.created ? 'recorded' : 'already  '} ${o.id}  firmware ${o.firmware || '(unknown)'}  ${o.source}\n`,
      );
    }
    const recorded = outcomes.filter((o) => o.created).length;
    out.write(`${recorded} recorded, ${outcomes.length - recorded} not (already there or refused) in ${location}\n`);
  }
  return outcomes.some((o) => o.refused) ? 2 : 0;
}

const VERDICT_WORD: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  'not-applicable': 'N/A',
  'could-not-test': 'CNT',
  flaky: 'FLAKY',
  uncovered: 'UNCOVERED',
};

function short(id: string | undefined): string {
  return id ? id.slice(0, 8) : '-';
}

function runLine(run: LedgerRun): string {
  const what = run.origin === 'rerun' ? 'rerun' : run.origin === 'resume' ? 'resumed' : 'run';
  return [
    `  ${run.id}  ${run.startedAt}  firmware ${run.firmware || '(unknown)'}  device ${run.device.key}`,
    `  ${run.suite}/${run.profile}  ${what}${run.complete ? '' : ' (interrupted)'}  exit ${run.exitCode}`,
    run.setAside ? `  SET ASIDE ${run.setAside.at}: ${run.setAside.why}` : '',
  ].join('');
}

function renderStatus(s: BuildStatus): string[] {
  const lines = [
    `firmware ${s.firmware}${s.device ? ` on ${s.device}` : ''}: ${s.runs.length} runs merged on spec ${s.specHash.slice(0, 12)}`,
    ...s.runs.map(runLine),
    ...s.excluded.map(
      ({ run, why }) =>
        `  left out ${run.id}: ${why === 'set-aside' ? `set aside ${run.setAside?.at}: ${run.setAside?.why}` : `spec ${run.specHash.slice(0, 12)}`}`,
    ),
    '',
    'clauses:',
    ...s.clauses.map(
      (c) =>
        `  ${pad(VERDICT_WORD[c.verdict] ?? c.verdict, 9)} ${pad(c.id, 10)} ${pad(c.level, 6)} run ${short(c.decidedBy)}`,
    ),
    '',
    'cases:',
    ...s.cases.map((c) => {
      const counts = c.verdict === 'flaky' ? `  (${c.history.map((h) => h.verdict).join(', ')})` : '';
      const waived = c.waived ? ' (waived)' : '';
      return `  ${pad(VERDICT_WORD[c.verdict] ?? c.verdict, 9)} ${c.id}  ${c.level}  run ${short(c.decidedBy)}${waived}${counts}${c.verdict === 'pass' ? '' : `  ${c.message}`}`;
    }),
    '',
  ];
  const { pass, fail, warn, flaky } = s.counts;
  lines.push(
    `${pass} passed, ${fail + flaky} failed, ${s.counts['not-applicable']} skipped (${warn} warn, ${flaky} flaky, ${s.counts['could-not-test']} could not be tested)`,
  );
  if (s.gate === 'certified') lines.push(`Gate: CERTIFIED (firmware ${s.firmware}, every MUST clause with evidence)`);
  else if (s.gate === 'not-certified')
    lines.push(`Gate: NOT CERTIFIED: ${s.blocking.length} case(s) fail or are flaky: ${s.blocking.join(', ')}`);
  else {
    const missing = [
      ...(s.missing.cases.length ? [`no evidence for ${s.missing.cases.join(', ')}`] : []),
      ...(s.missing.clauses.length ? [`MUST clauses no case covers: ${s.missing.clauses.join(', ')}`] : []),
      ...(s.runs.some((r) => r.complete && r.origin !== 'rerun')
        ? []
        : ['no run of this build finished its whole plan']),
    ];
    lines.push(`Gate: INCOMPLETE: ${missing.join('; ')}`);
  }
  return lines;
}

function renderDiff(d: BuildDiff): string[] {
  const change = (c: BuildDiff['regressions'][number]) =>
    `  ${c.id}  ${c.level}  ${c.from} -> ${c.to}${c.decidedBy ? `  (run ${short(c.decidedBy)})` : ''}`;
  const mustRegressions = d.regressions.filter((r) => r.level === 'MUST').length;
  return [
    `ledger diff ${d.old} -> ${d.new}${d.device ? ` on ${d.device}` : ''}`,
    `regressions (${d.regressions.length}):`,
    ...d.regressions.map(change),
    `progressions (${d.progressions.length}):`,
    ...d.progressions.map(change),
    `new could-not-test (${d.newCouldNotTest.length}):`,
    ...d.newCouldNotTest.map(change),
    `flaky (${d.flaky.length}):`,
    ...d.flaky.map(
      (f) =>
        `  ${f.build}  ${f.id}  ${Object.entries(f.verdicts)
          .map(([v, n]) => `${v} ×${n}`)
          .join(', ')}`,
    ),
    d.exitCode
      ? `Gate: FAIL: ${mustRegressions} MUST case(s) regressed from ${d.old} to ${d.new}`
      : `Gate: PASS: no MUST case regressed from ${d.old} to ${d.new}`,
  ];
}

function renderBuilds(location: string, builds: BuildSummary[]): string[] {
  return [
    ...builds.map(
      (b) =>
        `  ${pad(b.firmware || '(unknown)', 24)} ${pad(b.gate.toUpperCase(), 14)} ${b.runs} runs${b.setAside ? ` (${b.setAside} set aside)` : ''}  last ${b.lastRun}  ${b.devices.join(', ')}`,
    ),
    `${builds.length} builds in ${location}`,
  ];
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
