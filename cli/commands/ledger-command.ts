import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadReport } from '../../api/load-report.ts';
import { ledgerLocation } from '../../api/record-into-ledger.ts';
import { unpackLabArchive } from '../../src/bundle/read-lab-bundle.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { BuildDiff, BuildStatus, BuildSummary, LedgerRun, LedgerStore } from '../../src/ledger/index.ts';
import { configLedger, findConfigFile, loadConfig } from '../../src/settings/load-config.ts';

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
  // --ledger > SOPHON_LEDGER > the config file's ledger key > the default, as for run.
  const configFile = findConfigFile(values.config, process.cwd());
  const configured = configFile ? loadConfig(configFile) : undefined;
  const fromConfig = configured?.config.ledger;
  const location = ledgerLocation(
    values.ledger ??
      (process.env.SOPHON_LEDGER || undefined) ??
      (typeof fromConfig === 'string' && configured ? configLedger(fromConfig, configured.dir) : undefined),
  );
  if (!location) throw new ConformanceError('CONFIG_INVALID', 'the ledger is switched off (SOPHON_LEDGER=off)');
  const want = (n: number, shape: string) => {
    if (args.length !== n) throw new ConformanceError('CONFIG_INVALID', `ledger ${sub} takes ${shape}`);
  };
  // Commands that only read must not create a ledger where there is none (a typo in --ledger).
  const reading = sub !== 'import' && sub !== 'set-aside';
  if (!['builds', 'status', 'diff', 'runs', 'import', 'set-aside'].includes(sub)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `unknown ledger command "${sub}" (builds, status, diff, runs, import, set-aside)`,
    );
  }
  if (reading && !/^postgres(ql)?:\/\//i.test(location) && !existsSync(location)) {
    throw new ConformanceError(
      'LEDGER_NOT_FOUND',
      `no ledger at ${location} (runs record into it; or ledger import DIR…)`,
    );
  }
  const { openLedger } = await import('../../src/ledger/index.ts');
  const store = await openLedger(location);
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
        return await importRuns(store, args, out, values.json === true);
    }
  } finally {
    await store.close();
  }
}

/** `ledger import PATH…`: records each report found; a refused one is named with why, the others still go in. */
async function importRuns(
  store: LedgerStore,
  paths: string[],
  out: NodeJS.WriteStream,
  json: boolean,
): Promise<number> {
  const outcomes: { source: string; id?: string; created?: boolean; firmware?: string; refused?: string }[] = [];
  for (const path of paths) {
    for (const found of await reportsAt(path)) {
      try {
        const { report, source } = await loadReport(found.path, 'import');
        const outcome = await store.recordRun(report, found.label ?? source);
        outcomes.push({ source: found.label ?? source, ...outcome });
      } catch (error) {
        if (!(error instanceof ConformanceError) || error.code === 'LEDGER_UNAVAILABLE') throw error;
        outcomes.push({ source: found.label ?? found.path, refused: error.describe() });
      } finally {
        found.cleanup?.();
      }
    }
  }
  if (json) out.write(`${JSON.stringify({ ledger: store.location, imported: outcomes }, null, 2)}\n`);
  else {
    for (const o of outcomes) {
      out.write(
        o.refused
          ? `refused  ${o.source}: ${o.refused}\n`
          : `${o.created ? 'recorded' : 'already  '} ${o.id}  firmware ${o.firmware || '(unknown)'}  ${o.source}\n`,
      );
    }
    const recorded = outcomes.filter((o) => o.created).length;
    out.write(
      `${recorded} recorded, ${outcomes.length - recorded} not (already there or refused) in ${store.location}\n`,
    );
  }
  return outcomes.some((o) => o.refused) ? 2 : 0;
}

interface FoundReport {
  path: string;
  label?: string;
  cleanup?: () => void;
}

// A run folder, a report.json, a bundle; a lab's folder or a folder of run folders (two levels: reports/out
// holds labs); a lab or shard bundle, unpacked to a temporary folder.
async function reportsAt(path: string): Promise<FoundReport[]> {
  if (!existsSync(path)) throw new ConformanceError('CONFIG_INVALID', `import ${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'report.json')) || existsSync(join(path, 'journal.ndjson'))) return [{ path }];
    const found = foldersWithReports(path, 2);
    if (!found.length) throw new ConformanceError('CONFIG_INVALID', `import ${path}: no report.json in it or below it`);
    return found.map((p) => ({ path: p }));
  }
  if (/\.(tar\.gz|tgz)$/.test(path)) {
    const { checkBundle } = await import('../../src/bundle/verify-bundle.ts');
    const check = await checkBundle(path);
    if (check.report) return [{ path }];
    const dir = mkdtempSync(join(tmpdir(), 'ledger-import-'));
    try {
      const root = await unpackLabArchive(path, dir);
      const found = foldersWithReports(root, 2);
      return found.map((p, i) => ({
        path: p,
        label: `${path}:${p.slice(root.length + 1)}`,
        ...(i === found.length - 1 ? { cleanup: () => rmSync(dir, { recursive: true, force: true }) } : {}),
      }));
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new ConformanceError(
        'CONFIG_INVALID',
        `import ${path}: neither a certification bundle nor a lab's (${(error as Error).message})`,
      );
    }
  }
  return [{ path }];
}

function foldersWithReports(dir: string, depth: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    if (existsSync(join(sub, 'report.json'))) found.push(sub);
    else if (depth > 1) found.push(...foldersWithReports(sub, depth - 1));
  }
  return found;
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
