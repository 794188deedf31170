import type {
  FleetClause,
  FleetDevice,
  FleetFirmwareGroup,
  FleetProblem,
  FleetShard,
  FleetSummary,
  LabShardInfo,
  LabSummary,
} from './fleet-types.ts';
import { redactUrl } from './redact.ts';
import type { ClauseCoverage, Report, VerdictKind } from './types.ts';
import { worstExit } from './worst-exit.ts';

/** What the fleet keeps of one device's report.json: enough for the matrix, the groups and the gate. */
export interface ReportDigest {
  specHash: string;
  suite: string;
  profile: Report['profile'];
  exitCode: number;
  complete: boolean;
  summary: Report['summary'];
  firmware?: Record<string, unknown>;
  clauses: Record<string, VerdictKind>;
  problems: FleetProblem[];
  catalogue: Omit<ClauseCoverage, 'cases' | 'verdict'>[];
}

/** One shard as read from its folder or bundle, with its devices' reports (undefined: not in the shard). */
export interface ShardInput {
  source: string;
  /** The shard's folder, relative to where fleet.html is written. */
  folder: string;
  integrity: FleetShard['integrity'];
  summary: LabSummary;
  reports: ReadonlyMap<string, { digest: ReportDigest; href: string; json: string } | undefined>;
}

const PROBLEM_VERDICTS: readonly VerdictKind[] = ['fail', 'warn', 'could-not-test'];

/** Digests a device's report for the fleet (the report itself can be megabytes of evidence). */
export function digestReport(report: Report): ReportDigest {
  const clauses: Record<string, VerdictKind> = {};
  for (const c of report.clauses ?? []) if (c.verdict !== 'uncovered') clauses[c.id] = c.verdict;
  return {
    specHash: report.specHash,
    suite: report.suite,
    profile: report.profile,
    exitCode: report.exitCode,
    complete: report.complete !== false,
    summary: report.summary,
    ...(report.device?.firmware ? { firmware: report.device.firmware } : {}),
    clauses,
    problems: report.results
      .filter((r) => PROBLEM_VERDICTS.includes(r.verdict))
      .map((r) => ({
        id: r.id,
        level: r.level,
        verdict: r.verdict,
        clauses: r.clauses,
        message: r.message,
        ...(r.waived?.status === 'waived' ? { waived: true } : {}),
      })),
    catalogue: (report.clauses ?? []).map(({ id, level, text, source }) => ({ id, level, text, source })),
  };
}

/**
 * Why these shards cannot be merged into one answer: not shards of one run of one lab (different lab,
 * split, specs, suite, profile or cases), or the same shard or device twice. Empty when they belong together;
 * missing shards are not a refusal here, they make the fleet incomplete (exit 2) in buildFleet.
 */
export function shardProblems(shards: readonly { source: string; summary: LabSummary }[]): string[] {
  const problems: string[] = [];
  const withLab: { source: string; lab: LabShardInfo; summary: LabSummary }[] = [];
  for (const s of shards) {
    if (!s.summary.lab) {
      problems.push(
        `${s.source}: lab-summary.json has no shard information (written by a version without shards); run that shard again`,
      );
    } else withLab.push({ source: s.source, lab: s.summary.lab, summary: s.summary });
  }
  const [first, ...rest] = withLab;
  if (!first) return problems;
  const name = (s: { source: string; lab: LabShardInfo }) =>
    `${s.source} (shard ${s.lab.shard.index}/${s.lab.shard.count})`;
  for (const s of rest) {
    if (s.lab.shard.count !== first.lab.shard.count) {
      problems.push(`${name(first)} and ${name(s)} split the lab differently; run every shard with the same N`);
    } else if (s.lab.hash !== first.lab.hash || JSON.stringify(s.lab.devices) !== JSON.stringify(first.lab.devices)) {
      problems.push(
        `${name(first)} and ${name(s)} are shards of different labs (lab hash ${short(first.lab.hash)} vs ${short(s.lab.hash)}); run every shard from the same lab file`,
      );
    }
  }
  const differ = (what: string, value: (l: LabShardInfo) => string, advice: string) => {
    const odd = rest.find((s) => value(s.lab) !== value(first.lab));
    if (odd) problems.push(`${what}: ${name(first)} ${value(first.lab)}, ${name(odd)} ${value(odd.lab)}; ${advice}`);
  };
  differ('shards ran different spec hashes', (l) => short(l.specHash), 'run every shard from the same specs');
  differ('shards ran different suites', (l) => JSON.stringify(l.suite), 'run every shard with the same --suite');
  differ('shards ran different profiles', (l) => l.profile, 'run every shard with the same --profile');
  differ(
    'shards planned different cases',
    (l) => `${l.cases} cases (${short(l.planHash)})`,
    'run every shard with the same --only and --tag',
  );
  // Device names become paths under a shard's folder: only plain folder names, as the lab runner makes them.
  for (const s of withLab) {
    const names = [...s.lab.devices.map((d) => d.name), ...s.summary.devices.map((d) => d.name)];
    const odd = names.find((n) => !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(n));
    if (odd !== undefined) problems.push(`${s.source}: device name ${JSON.stringify(odd)} is not a folder name`);
  }
  const byIndex = new Map<number, string>();
  const byDevice = new Map<string, string>();
  for (const s of withLab) {
    const seen = byIndex.get(s.lab.shard.index);
    if (seen) problems.push(`shard ${s.lab.shard.index}/${s.lab.shard.count} is given twice: ${seen} and ${s.source}`);
    byIndex.set(s.lab.shard.index, s.source);
    const expected = s.lab.devices.filter((d) => d.shard === s.lab.shard.index).map((d) => d.name);
    const listed = s.summary.devices.map((d) => d.name);
    if (JSON.stringify(expected) !== JSON.stringify(listed)) {
      problems.push(
        `${name(s)}: lab-summary.json lists ${listed.join(', ') || 'no device'}, but its shard holds ${expected.join(', ') || 'no device'}`,
      );
    }
    if (seen) continue;
    for (const device of listed) {
      const other = byDevice.get(device);
      if (other) problems.push(`device ${device} is in two shards: ${other} and ${s.source}`);
      byDevice.set(device, s.source);
    }
  }
  return problems;
}

/** Why a device's report does not belong to its shard (it ran other specs, suite or profile). */
export function reportProblems(
  shard: { source: string; summary: LabSummary },
  device: string,
  d: ReportDigest,
): string[] {
  const lab = shard.summary.lab;
  if (!lab) return [];
  const where = `${shard.source}: ${device}/report.json`;
  const problems: string[] = [];
  if (d.specHash !== lab.specHash) {
    problems.push(`${where} ran spec hash ${short(d.specHash)}, its shard ${short(lab.specHash)}`);
  }
  if (d.suite !== lab.suite) problems.push(`${where} ran suite ${d.suite}, its shard ${lab.suite}`);
  if (d.profile !== lab.profile) problems.push(`${where} ran profile ${d.profile}, its shard ${lab.profile}`);
  return problems;
}

/**
 * The fleet: every device of the lab with its gate, counts, firmware and clause verdicts, the clauses across
 * devices, the firmware groups, and the worst gate. A shard that is not given, or a device whose report is
 * not in its shard, is listed as missing and makes the fleet exit 2: the fleet never goes green on part of
 * the lab. The shards must have passed shardProblems.
 */
export function buildFleet(
  shards: readonly ShardInput[],
  tool: { name: string; version: string },
  mergedAt: string,
): FleetSummary {
  const ordered = [...shards].sort((a, b) => (a.summary.lab?.shard.index ?? 0) - (b.summary.lab?.shard.index ?? 0));
  const lab = ordered[0]?.summary.lab as LabShardInfo;
  const given = new Map(ordered.map((s) => [s.summary.lab?.shard.index ?? 0, s]));
  const devices: FleetDevice[] = lab.devices.map((member) => {
    const shard = given.get(member.shard);
    const base = { name: member.name, shard: member.shard, clauses: {}, problems: [] };
    if (!shard) {
      return {
        ...base,
        target: '',
        exitCode: 2,
        missing: 'shard-not-given',
        error: `shard ${member.shard}/${lab.shard.count} was not given to merge`,
      };
    }
    const entry = shard.summary.devices.find((d) => d.name === member.name);
    const report = shard.reports.get(member.name);
    const target = redactUrl(entry?.target ?? '');
    if (!report) {
      // A device that could not run has no report by design; one that ran and has none lost it on the way.
      const ran = entry && entry.exitCode !== 2;
      return {
        ...base,
        target,
        exitCode: 2,
        ...(ran ? { missing: 'report-absent' as const } : {}),
        error: ran
          ? `${member.name}/report.json is not in ${shard.source} (the shard's lab-summary.json says it ran: exit ${entry.exitCode})`
          : (entry?.error ?? 'the run could not be carried out'),
        ...(entry ? { durationMs: entry.durationMs } : {}),
      };
    }
    const d = report.digest;
    const version = firmwareVersion(d.firmware);
    return {
      ...base,
      target,
      exitCode: d.exitCode,
      href: report.href,
      json: report.json,
      summary: d.summary,
      complete: d.complete,
      ...(entry ? { durationMs: entry.durationMs } : {}),
      ...(d.firmware ? { firmware: d.firmware } : {}),
      ...(version ? { firmwareVersion: version } : {}),
      clauses: d.clauses,
      problems: d.problems,
    };
  });

  const missingShards: FleetSummary['missingShards'] = [];
  for (let index = 1; index <= lab.shard.count; index++) {
    if (given.has(index)) continue;
    missingShards.push({ index, devices: lab.devices.filter((d) => d.shard === index).map((d) => d.name) });
  }
  const missing = devices.filter((d) => d.missing).length;
  const complete = missingShards.length === 0 && missing === 0;
  const exitCode = worstExit([...devices.map((d) => d.exitCode), complete ? 0 : 2]);
  const versions = new Set(ordered.map((s) => `${s.summary.tool} ${s.summary.version}`));
  const notes =
    versions.size > 1 ? [`the shards were run by different tool versions: ${[...versions].join(', ')}`] : [];
  const unchecked = ordered.filter((s) => s.integrity === 'none').map((s) => s.source);
  if (unchecked.length) notes.push(`no MANIFEST.sha256 in ${unchecked.join(', ')}: their integrity was not checked`);

  return {
    tool: tool.name,
    version: tool.version,
    mergedAt,
    exitCode,
    complete,
    lab: { hash: lab.hash, devices: lab.devices.length, shards: lab.shard.count },
    suite: lab.suite,
    specHash: lab.specHash,
    profile: lab.profile,
    selection: lab.selection,
    cases: lab.cases,
    summary: {
      devices: devices.length,
      pass: devices.filter((d) => d.exitCode === 0).length,
      fail: devices.filter((d) => d.exitCode === 1).length,
      incomplete: devices.filter((d) => d.exitCode === 3).length,
      notRun: devices.filter((d) => d.exitCode === 2 && !d.missing).length,
      missing,
    },
    shards: ordered.map((s) => ({
      index: s.summary.lab?.shard.index ?? 0,
      source: s.source,
      folder: s.folder,
      devices: s.summary.devices.map((d) => d.name),
      startedAt: s.summary.startedAt,
      finishedAt: s.summary.finishedAt,
      exitCode: s.summary.exitCode,
      tool: s.summary.tool,
      version: s.summary.version,
      integrity: s.integrity,
    })),
    missingShards,
    firmware: firmwareGroups(devices),
    clauses: fleetClauses(shards, devices),
    devices,
    notes,
  };
}

/**
 * The version a device's getsoftwareversion answer is grouped under: its version fields (sophon-api.md:
 * `app_gate_version`, `nnsdk_version`), each once; any other firmware record by all its text values.
 */
export function firmwareVersion(firmware: Record<string, unknown> | undefined): string | undefined {
  if (!firmware) return undefined;
  const preferred = [
    'app_gate_version',
    'nnsdk_version',
    'app_version',
    'software_version',
    'softwareVersion',
    'firmware_version',
    'firmwareVersion',
    'version',
  ];
  const text = (keys: string[]) =>
    [...new Set(keys.map((k) => firmware[k]).filter((v) => typeof v === 'string' || typeof v === 'number'))]
      .map(String)
      .filter((v) => v.trim() !== '');
  const known = text(preferred.filter((k) => k in firmware));
  const values = known.length ? known : text(Object.keys(firmware).sort());
  return values.length ? values.join(' · ') : undefined;
}

function firmwareGroups(devices: readonly FleetDevice[]): FleetFirmwareGroup[] {
  const groups = new Map<string, FleetDevice[]>();
  for (const d of devices) {
    const key = d.firmwareVersion ?? '';
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  // Reported versions in natural order; the devices that reported none (or did not run) last.
  return [...groups]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, 'en', { numeric: true })))
    .map(([version, members]) => ({
      ...(version ? { version } : {}),
      devices: members.map((d) => d.name),
      exitCode: worstExit(members.map((d) => d.exitCode)),
    }));
}

function fleetClauses(shards: readonly ShardInput[], devices: readonly FleetDevice[]): FleetClause[] {
  // Every report of one spec hash has the same catalogue; the first one read gives it.
  const catalogue: ReportDigest['catalogue'] = [];
  for (const s of shards) {
    for (const r of s.reports.values()) if (r && catalogue.length === 0) catalogue.push(...r.digest.catalogue);
  }
  return catalogue.map((clause) => {
    const row: FleetClause = { ...clause, pass: 0, notApplicable: 0, fail: [], warn: [], couldNotTest: [] };
    for (const d of devices) {
      const verdict = d.clauses[clause.id];
      if (verdict === 'pass') row.pass++;
      else if (verdict === 'not-applicable') row.notApplicable++;
      else if (verdict === 'fail') row.fail.push(d.name);
      else if (verdict === 'warn') row.warn.push(d.name);
      else if (verdict === 'could-not-test') row.couldNotTest.push(d.name);
    }
    return row;
  });
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}
