import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/package-root.ts';

// The package as a user gets it: `npm pack`, installed into an empty folder, `npx sophon-conformance demo`
// there. Nothing is fetched: the install is `npm ci --offline`, from the npm cache that the repository's own
// `npm ci` filled. Needs the build (npm test runs it first) and, for the MQ cases, the broker.

/** What the package may hold: what a user runs, reads and is licensed under. */
const SHIPPED = [
  /^bin\/sophon-conformance\.mjs$/,
  /^dist\/(api|cli|src|reports|reference-device)\/[\w./-]+\.(js|d\.ts)$/,
  /^specs\/[\w./-]+\.(yaml|json)$/,
  /^suites\/[\w-]+\.yaml$/,
  /^contracts\/[\w-]+\.yaml$/,
  /^reports\/html\/[\w-]+\.(js|css)$/,
  /^(package\.json|npm-shrinkwrap\.json|README\.md|LICENSE)$/,
];

const work = realpathSync(mkdtempSync(join(tmpdir(), 'sophon-packed-')));
const app = join(work, 'app');

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, timeout: number): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    // No colour, no update check, no audit call: the output is read, and nothing may leave the machine.
    env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_audit: 'false' },
  });
  if (result.error) throw result.error;
  return result;
}

function shown(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}\n${result.stdout}\n${result.stderr}`;
}

interface PackedFile {
  path: string;
}

/**
 * `npm pack` as prepack does it (the shrinkwrap written first), without its prepare: rebuilding dist/ here
 * would pull it from under the other test files that run the bin.
 */
function pack(): { tarball: string; files: string[] } {
  const write = run(process.execPath, ['scripts/write-shrinkwrap.mjs'], PACKAGE_ROOT, 30_000);
  expect(write.status, shown(write)).toBe(0);
  try {
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], PACKAGE_ROOT, 60_000);
    expect(packed.status, shown(packed)).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[];
    if (!info) throw new Error(`npm pack printed no package: ${packed.stdout}`);
    return { tarball: join(work, info.filename), files: info.files.map((f) => f.path) };
  } finally {
    run(process.execPath, ['scripts/write-shrinkwrap.mjs', '--remove'], PACKAGE_ROOT, 30_000);
  }
}

function fromTarball<T>(tarball: string, path: string): T {
  const read = run('tar', ['-xzOf', tarball, `package/${path}`], work, 30_000);
  expect(read.status, shown(read)).toBe(0);
  return JSON.parse(read.stdout) as T;
}

interface Manifest {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  overrides?: Record<string, unknown>;
}

interface Lock {
  packages: Record<string, { dev?: boolean } & Record<string, unknown>>;
}

/**
 * The app folder a registry install of the package leaves: the package, and below it the tree of its
 * npm-shrinkwrap.json (npm honours a published package's shrinkwrap). Written as the app's lockfile so that
 * `npm ci --offline` installs exactly that tree; a local tarball's shrinkwrap is otherwise not read. The
 * package's overrides come along: npm applies a project's overrides only at its root.
 */
function writeApp(tarball: string, manifest: Manifest, shrinkwrap: Lock): void {
  const spec = `file:../${relative(work, tarball)}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const root = `node_modules/${manifest.name}`;
  const packages: Lock['packages'] = {
    '': { name: 'app', dependencies: { [manifest.name]: spec } },
    [root]: {
      version: manifest.version,
      resolved: spec,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(shrinkwrap.packages)) if (path) packages[`${root}/${path}`] = entry;
  const pkg = { name: 'app', private: true, dependencies: { [manifest.name]: spec }, overrides: manifest.overrides };
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(
    join(app, 'package-lock.json'),
    `${JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}

// A user's script: the reference device and a smoke run through the package's exports, with progress events.
const API_CHECK = `import { ConformanceError, listCases, runSuite, startReferenceDevice } from 'sophon-conformance';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const device = await startReferenceDevice({ port: 0, systemPort: 0, bootMs: 50, dataDir: mkdtempSync(join(tmpdir(), 'api-')) });
const types = [];
let badSetting;
try {
  await runSuite({ settings: { target: device.url, 'down-within': 'soon' } });
} catch (error) {
  badSetting = error instanceof ConformanceError ? error.code : String(error);
}
try {
  const { report, exitCode } = await runSuite({
    settings: { target: device.url, 'system-port': device.systemPort, suite: 'smoke', 'down-within': 2000, 'quiet-ms': 300, 'probe-ms': 10 },
    out: 'api-out',
    onEvent: (event) => types.push(event.type),
  });
  console.log(JSON.stringify({
    exitCode,
    complete: report.complete,
    total: report.summary.total,
    listed: listCases({ suite: 'smoke' }).length,
    started: types.filter((t) => t === 'start').length,
    results: types.filter((t) => t === 'result').length,
    ended: types.filter((t) => t === 'end').length,
    badSetting,
  }));
} finally {
  await device.close();
}
`;

describe('the packed package', () => {
  it('ships only what a user runs, installs offline without engine warnings, and its demo passes every case there', () => {
    const { tarball, files } = pack();

    const unexpected = files.filter((path) => !SHIPPED.some((allowed) => allowed.test(path)));
    expect(unexpected, 'files outside the whitelist').toEqual([]);
    expect(files.filter((path) => /(^|\/)(test|bench|fixtures|scripts)\//.test(path))).toEqual([]);
    for (const needed of [
      'bin/sophon-conformance.mjs',
      'dist/cli/main.js',
      'specs/clauses.yaml',
      'suites/certification.yaml',
      'contracts/openapi.yaml',
      'reports/html/report.js',
      'reports/html/report.css',
      'README.md',
      'LICENSE',
      'npm-shrinkwrap.json',
    ])
      expect(files, needed).toContain(needed);

    const manifest = fromTarball<Manifest>(tarball, 'package.json');
    const shrinkwrap = fromTarball<Lock>(tarball, 'npm-shrinkwrap.json');
    expect(
      Object.entries(shrinkwrap.packages)
        .filter(([, entry]) => entry.dev)
        .map(([path]) => path),
    ).toEqual([]);
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');

    writeApp(tarball, manifest, shrinkwrap);
    const install = run('npm', ['ci', '--offline', '--no-fund'], app, 180_000);
    expect(install.status, shown(install)).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toContain('EBADENGINE');

    const demo = run('npx', ['--offline', 'sophon-conformance', 'demo'], app, 240_000);
    expect(demo.status, shown(demo)).toBe(0);
    const reportPath = /^json report: (.+)$/m.exec(demo.stdout)?.[1];
    // Each report is named once, in one wording ("html report:" was once followed by "HTML report:").
    expect(demo.stdout.match(/^html report: /gim), shown(demo)).toHaveLength(1);
    expect(reportPath, shown(demo)).toBeDefined();
    const runDir = join(reportPath as string, '..');
    // Written where the user ran it, never into the installed package.
    expect(relative(join(app, 'reports', 'out'), runDir)).toMatch(/^[^./][^/]*$/);
    for (const name of ['report.json', 'junit.xml', 'report.html'])
      expect(existsSync(join(runDir, name)), name).toBe(true);
    const report = JSON.parse(readFileSync(reportPath as string, 'utf8')) as {
      exitCode: number;
      summary: { total: number; pass: number };
      results: unknown[];
    };
    expect(report.exitCode).toBe(0);
    expect(report.summary.total).toBe(report.results.length);
    expect(report.summary.total).toBeGreaterThan(0);
    expect(report.summary.pass).toBe(report.summary.total);
    expect(demo.stdout).toContain(`${report.summary.total} passed, 0 failed, 0 could not test, 0 skipped`);

    // The programmatic API, as a user's script imports it from the installed package.
    writeFileSync(join(app, 'api-check.mjs'), API_CHECK);
    const api = run(process.execPath, ['api-check.mjs'], app, 120_000);
    expect(api.status, shown(api)).toBe(0);
    const seen = JSON.parse(api.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(seen).toMatchObject({ exitCode: 0, complete: true, started: 1, ended: 1, badSetting: 'CONFIG_INVALID' });
    expect(seen.listed).toBe(seen.total);
    expect(seen.results).toBe(seen.total);
    expect(existsSync(join(app, 'api-out', 'report.json'))).toBe(true);
  }, 480_000);
});
