import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { renderFleetHtml } from '../../reports/render-fleet-html.ts';
import { checkLabFolder, UNPACKED_MARK, unpackLabArchive } from '../../src/bundle/read-lab-bundle.ts';
import { LAB_SUMMARY } from '../../src/bundle/write-lab-bundle.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { PACKAGE } from '../../src/package-root.ts';
import {
  buildFleet,
  digestReport,
  type ReportDigest,
  reportProblems,
  type ShardInput,
  shardProblems,
} from '../../src/results/build-fleet.ts';
import type { FleetShard, FleetSummary, LabSummary } from '../../src/results/fleet-types.ts';
import { readReport } from '../../src/results/read-report.ts';

/** One shard's output as given: where its files are now, and where they will be once merge is done. */
interface ShardSource {
  source: string;
  /** Where lab-summary.json is being read from (a staging folder for a bundle). */
  root: string;
  /** Where the shard's folder is once merge has written its answer (a bundle is unpacked under OUT). */
  final: string;
  integrity: FleetShard['integrity'];
  summary: LabSummary;
}

/**
 * `merge OUT SHARD…`: reads each shard's folder or bundle, refuses (exit 2, the reason) shards that do not
 * belong together, digests every device's report, and writes OUT/fleet-summary.json and OUT/fleet.html.
 * Bundles are unpacked to OUT/<bundle name>/ so that the page's links to each device's report work; nothing is
 * written under OUT before every shard has been checked.
 */
export async function mergeShards(
  outArg: string,
  sources: readonly string[],
  now = new Date(),
): Promise<{ fleet: FleetSummary; summaryPath: string; htmlPath: string }> {
  const out = resolve(outArg);
  const staging = join(out, `.merge-staging-${process.pid}`);
  const outExisted = existsSync(out);
  let answered = false;
  try {
    const shards: ShardSource[] = [];
    const problems: string[] = [];
    const folders = new Set(sources.filter((s) => existsSync(s) && statSync(s).isDirectory()).map((s) => resolve(s)));
    for (const [i, source] of sources.entries()) {
      try {
        shards.push(await openShard(source, join(staging, String(i)), out, folders));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    problems.push(...shardProblems(shards));
    refuseIf(problems);

    const inputs: ShardInput[] = [];
    for (const shard of shards) {
      const reports = new Map<string, { digest: ReportDigest; href: string; json: string } | undefined>();
      for (const device of shard.summary.devices) {
        const json = join(shard.root, device.name, 'report.json');
        if (!existsSync(json)) {
          reports.set(device.name, undefined);
          continue;
        }
        let digest: ReportDigest;
        try {
          digest = digestReport(readReport(json));
        } catch (error) {
          problems.push(`${shard.source}: ${device.name}/report.json cannot be read: ${(error as Error).message}`);
          continue;
        }
        problems.push(...reportProblems(shard, device.name, digest));
        const html = existsSync(join(shard.root, device.name, 'report.html')) ? 'report.html' : 'report.json';
        reports.set(device.name, {
          digest,
          href: link(out, join(shard.final, device.name, html)),
          json: link(out, join(shard.final, device.name, 'report.json')),
        });
      }
      inputs.push({
        source: shard.source,
        folder: link(out, shard.final),
        integrity: shard.integrity,
        summary: shard.summary,
        reports,
      });
    }
    refuseIf(problems);

    mkdirSync(out, { recursive: true });
    for (const shard of shards) {
      if (shard.root === shard.final) continue;
      rmSync(shard.final, { recursive: true, force: true });
      renameSync(shard.root, shard.final);
      writeFileSync(join(shard.final, UNPACKED_MARK), `unpacked from ${shard.source} by sophon-conformance merge\n`);
    }
    const fleet = buildFleet(inputs, { name: PACKAGE.name, version: PACKAGE.version }, now.toISOString());
    const summaryPath = join(out, 'fleet-summary.json');
    const htmlPath = join(out, 'fleet.html');
    writeFileSync(summaryPath, `${JSON.stringify(fleet, null, 2)}\n`);
    writeFileSync(htmlPath, renderFleetHtml(fleet));
    answered = true;
    return { fleet, summaryPath, htmlPath };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    // A refused merge leaves no trace, not even the OUT folder it made to unpack bundles in.
    if (!answered && !outExisted && existsSync(out) && readdirSync(out).length === 0) rmSync(out, { recursive: true });
  }
}

async function openShard(source: string, staging: string, out: string, folders: Set<string>): Promise<ShardSource> {
  if (!existsSync(source)) throw new Error(`${source} does not exist`);
  let root: string;
  let final: string;
  let integrity: FleetShard['integrity'];
  if (statSync(source).isDirectory()) {
    root = resolve(source);
    final = root;
    if (!existsSync(join(root, LAB_SUMMARY))) {
      throw new Error(
        `${source} has no ${LAB_SUMMARY}: not the output of run --lab (a shard writes it when it finishes)`,
      );
    }
    const check = checkLabFolder(root);
    if (check.problems.length) throw new Error(`${source}: ${check.problems.join('; ')}`);
    integrity = check.integrity === 'manifest' ? 'manifest' : 'folder';
  } else if (/\.(tar\.gz|tgz)$/.test(source)) {
    final = join(out, basename(source).replace(/\.(tar\.gz|tgz)$/, ''));
    if ([...folders].some((f) => f === final || f.startsWith(`${final}${sep}`) || final.startsWith(`${f}${sep}`))) {
      throw new Error(`${source} would be unpacked into ${final}, where a folder given to merge is`);
    }
    if (existsSync(final) && !existsSync(join(final, UNPACKED_MARK))) {
      throw new Error(`${source} would be unpacked into ${final}, which exists; remove it or merge into another OUT`);
    }
    mkdirSync(staging, { recursive: true });
    try {
      root = await unpackLabArchive(source, staging);
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
    const check = checkLabFolder(root);
    if (check.problems.length) throw new Error(`${source}: ${check.problems.join('; ')}`);
    integrity = check.integrity;
  } else {
    throw new Error(`${source} is neither a folder nor a .tar.gz bundle`);
  }
  let summary: LabSummary;
  try {
    summary = JSON.parse(readFileSync(join(root, LAB_SUMMARY), 'utf8')) as LabSummary;
  } catch (error) {
    throw new Error(`${source}: ${LAB_SUMMARY} does not parse: ${(error as Error).message}`);
  }
  if (!summary || !Array.isArray(summary.devices)) throw new Error(`${source}: ${LAB_SUMMARY} lists no devices`);
  const specHashFile = join(root, 'spec-hash.txt');
  if (summary.lab && existsSync(specHashFile)) {
    const bundled = readFileSync(specHashFile, 'utf8').split('\n')[0];
    if (bundled !== summary.lab.specHash)
      throw new Error(`${source}: its specs hash to ${bundled}, its lab summary says ${summary.lab.specHash}`);
  }
  return { source, root, final, integrity, summary };
}

function refuseIf(problems: readonly string[]): void {
  if (problems.length) throw new ConformanceError('MERGE_REFUSED', problems.join('; '));
}

/** A relative link from OUT/fleet.html to a file, each path segment URL-encoded. */
function link(out: string, path: string): string {
  return relative(out, path).split(sep).map(encodeURIComponent).join('/') || '.';
}

// What merge prints of the fleet.
export { renderFleetConsole } from '../../reports/render-fleet-console.ts';
