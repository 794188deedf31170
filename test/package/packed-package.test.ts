import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import semver from 'semver';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/package-root.ts';

// The package as a user gets it: `npm pack`, then `npm install ./the.tgz` into an empty folder, then
// `npx sophon-conformance demo` there. The dependencies travel inside the tarball (bundleDependencies): a
// registry install would honour a shrinkwrap, a tarball install would not, and neither would stop a
// dependency's own ranges from resolving to newer versions than CI tested. Nothing is fetched (--offline).
// Needs the build (npm test runs it first) and, for the MQ cases, the broker.

/** What the package may hold: what a user runs, reads (README.md and docs/) and is licensed under, and its bundled dependencies. */
const SHIPPED = [
  /^bin\/sophon-conformance\.mjs$/,
  /^dist\/(api|cli|src|reports|reference-device)\/[\w./-]+\.(js|d\.ts)$/,
  /^specs\/[\w./-]+\.(yaml|json)$/,
  /^suites\/[\w-]+\.yaml$/,
  /^contracts\/[\w-]+\.yaml$/,
  /^reports\/html\/[\w-]+\.(js|css)$/,
  /^(package\.json|README\.md|LICENSE)$/,
  /^docs\/[\w-]+\.md$/,
  /^node_modules\//,
];

/** The Node versions the package supports, as its engines field says (README: Requires). */
const SUPPORTED = '^20.19.0 || >=22.12.0';

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

/** `npm pack` without its prepack: rebuilding dist/ here would pull it from under the other test files. */
function pack(): { tarball: string; files: string[] } {
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], PACKAGE_ROOT, 120_000);
  expect(packed.status, shown(packed)).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[];
  if (!info) throw new Error(`npm pack printed no package: ${packed.stdout}`);
  return { tarball: join(work, info.filename), files: info.files.map((f) => f.path) };
}

function fromTarball<T>(tarball: string, path: string): T {
  const read = run('tar', ['-xzOf', tarball, `package/${path}`], work, 30_000);
  expect(read.status, shown(read)).toBe(0);
  return JSON.parse(read.stdout) as T;
}

interface Manifest {
  name: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  bundleDependencies?: boolean | string[];
}

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } }>;
}

/** path below node_modules → version, of the packages a lockfile holds under `prefix` (dev ones left out). */
function versions(lock: Lock, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith(`${prefix}node_modules/`) && !entry.dev)
      .map(([path, entry]) => [path.slice(prefix.length), entry.version ?? '']),
  );
}

const ourLock = (): Lock => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as Lock;

describe('the dependency tree', () => {
  it('fits every supported Node: no engines range of a production dependency leaves one out', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as Manifest;
    expect(manifest.engines.node).toBe(SUPPORTED);
    const misfits = Object.entries(ourLock().packages)
      .filter(([path, entry]) => path && !entry.dev && entry.engines?.node)
      .filter(([, entry]) => !semver.subset(SUPPORTED, entry.engines?.node as string))
      .map(([path, entry]) => `${path}@${entry.version} wants node ${entry.engines?.node}`);
    expect(misfits).toEqual([]);
    for (const node of ['20.19.0', '22.12.0', '24.0.0', '26.0.0']) expect(semver.satisfies(node, SUPPORTED)).toBe(true);
  });
});

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
  it("ships only what a user runs and its dependencies, installs from the tarball offline to our lock's versions without engine warnings, and its demo passes every case there", () => {
    const { tarball, files } = pack();

    const unexpected = files.filter((path) => !SHIPPED.some((allowed) => allowed.test(path)));
    expect(unexpected, 'files outside the whitelist').toEqual([]);
    expect(
      files.filter((path) =>
        /^(test|bench|fixtures|scripts)\/|^(?!node_modules\/).*\/(test|bench|fixtures)\//.test(path),
      ),
    ).toEqual([]);
    for (const needed of [
      'bin/sophon-conformance.mjs',
      'dist/cli/main.js',
      'specs/clauses.yaml',
      'suites/certification.yaml',
      'contracts/openapi.yaml',
      'reports/html/report.js',
      'reports/html/report.css',
      'README.md',
      'docs/cli.md',
      'docs/writing-cases.md',
      'LICENSE',
      'node_modules/fastify/package.json',
    ])
      expect(files, needed).toContain(needed);

    const manifest = fromTarball<Manifest>(tarball, 'package.json');
    // npm pack spells `bundleDependencies: true` out as the list of every dependency.
    expect(manifest.bundleDependencies).toEqual(Object.keys(manifest.dependencies));
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');

    // As a user does it: an empty folder, npm install of the tarball.
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'app', private: true }, null, 2)}\n`);
    const install = run('npm', ['install', '--offline', '--no-fund', tarball], app, 300_000);
    expect(install.status, shown(install)).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toContain('EBADENGINE');
    // Every package it resolved is the one (and at the place) our lock has, and nothing else came in.
    const installed = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as Lock;
    expect(versions(installed, `node_modules/${manifest.name}/`)).toEqual(versions(ourLock(), ''));
    expect(
      Object.keys(installed.packages).filter(
        (p) => p && p !== `node_modules/${manifest.name}` && !p.startsWith(`node_modules/${manifest.name}/`),
      ),
    ).toEqual([]);

    const demo = run('npx', ['--offline', 'sophon-conformance', 'demo'], app, 240_000);
    expect(demo.status, shown(demo)).toBe(0);
    const reportPath = /^json report: (.+)$/m.exec(demo.stdout)?.[1];
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
