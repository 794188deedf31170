// The lab recipes of docs/lab-and-ci.md (GitHub Actions matrix, GitLab parallel matrix, Kubernetes Indexed Job),
// read from the page itself: every command they run must be a command line `run` and `merge` accept, each shard must be
// told a different slice, together all of them, and the merge must find every shard where the recipe puts it.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { describeLab, isLabRun, parseLab } from '../../api/lab/lab-run.ts';
import { mergeCommand } from '../../cli/commands/merge-command.ts';
import { sampleLab, writeShardFolders } from '../fixtures/reports/fleet-shards.ts';
import { PROJECT_ROOT } from '../helpers/run-against-device.ts';

const page = readFileSync(join(PROJECT_ROOT, 'docs', 'lab-and-ci.md'), 'utf8');
// From the sharded lab on: the one-device recipes above it start with the same comment lines.
const section = page.slice(page.indexOf('## A lab beyond one machine'));
const blocks = [...section.matchAll(/```(yaml|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] ?? '' }));
const block = (firstLine: string) => {
  const found = blocks.find((b) => b.text.startsWith(firstLine));
  if (!found) throw new Error(`docs/lab-and-ci.md: no block starting ${firstLine}`);
  return found.text;
};

const scratch = mkdtempSync(join(tmpdir(), 'sophon-recipes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// The page's own lab file stands in for lab/lab.yaml.
const labFile = join(scratch, 'lab.yaml');
writeFileSync(labFile, block('# lab.yaml'));

/** Splits a shell command line into words (quotes and simple backslashes; what the recipes use). */
function words(line: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + (c === '\\' ? (line[++i] ?? '') : c);
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** The sophon-conformance arguments of a command line, or undefined when it runs something else. */
function toolArgs(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf('sophon-conformance');
  return at === -1 ? undefined : argv.slice(at + 1);
}

/** Checks a `run` command as the lab runner would read it; returns the shard it names and its --out. */
function checkRun(args: string[], env: NodeJS.ProcessEnv): { index: number; count: number; out: string } {
  expect(args[0]).toBe('run');
  const argv = args.slice(1).map((a) => (a.endsWith('lab.yaml') ? labFile : a));
  expect(isLabRun(argv, env)).toBe(true);
  const parsed = parseLab(argv, () => 'default-out', env);
  // The shared flags parse as run flags, and the suite and selection plan cases.
  const { lab } = describeLab(parsed, env);
  expect(lab.cases).toBeGreaterThan(0);
  return { ...lab.shard, out: parsed.outDir };
}

/** A shell glob (only `*`) as a regular expression over whole paths. */
const globRe = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

/** Puts fixture shards where the recipe's shards write, then runs its merge: every shard must be found. */
async function checkMerge(args: string[], outs: string[], base: string): Promise<void> {
  expect(args[0]).toBe('merge');
  const [out, ...globs] = args.slice(1) as [string, ...string[]];
  expect(globs.length).toBeGreaterThan(0);
  for (const o of outs)
    expect(
      globs.some((g) => globRe(g).test(o)),
      `${o} matches ${globs}`,
    ).toBe(true);
  const made = writeShardFolders(join(base, 'made'), sampleLab(), outs.length);
  outs.forEach((o, i) => {
    mkdirSync(join(base, o, '..'), { recursive: true });
    // The shard written by a run ends up where the recipe says (as a download step or the volume leaves it).
    rmSync(join(base, o), { recursive: true, force: true });
    renameSync(made[i] as string, join(base, o));
  });
  let text = '';
  const console = {
    isTTY: false,
    write: (c: string) => {
      text += c;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const code = await mergeCommand([join(base, out), ...outs.map((o) => join(base, o))], console);
  // The sample lab has a device that could not run: exit 2, with every shard given.
  expect(code).toBe(2);
  expect(text).toContain(`(${outs.length} given)`);
  expect(text).not.toContain('MISSING');
}

/** The parts of the recipes the checks read (the YAML is parsed, then read through these shapes). */
interface GitHubStep {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface GitHubJob {
  needs?: string | string[];
  if?: string;
  strategy?: { 'fail-fast'?: boolean; matrix: { shard: number[] } };
  steps: GitHubStep[];
}
interface GitLabJob {
  parallel?: { matrix: { SOPHON_SHARD: string[] }[] };
  script: string[];
  artifacts?: { when?: string; paths: string[] };
  when?: string;
  needs?: string[];
}
interface KubernetesJob {
  kind: string;
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimitPerIndex?: number;
    template: {
      spec: {
        containers: { command: string[]; args?: string[] }[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}

// GitHub's expression syntax, written without a `${` a linter would take for a template placeholder.
const gh = (expression: string) => `$\{{ ${expression} }}`;

describe('the lab recipes of docs/lab-and-ci.md', () => {
  it('GitHub Actions: a strategy.matrix of shards, each a run of its own slice, then a merge that gates', async () => {
    const wf = parseYaml(block('# GitHub Actions')) as { jobs: Record<string, GitHubJob> };
    const shard = wf.jobs.shard as GitHubJob;
    expect(shard.strategy?.['fail-fast']).toBe(false);
    const values = shard.strategy?.matrix.shard ?? [];
    const outs: string[] = [];
    const seen: number[] = [];
    for (const value of values) {
      const sub = (text: string) => text.replaceAll(gh('matrix.shard'), String(value));
      const run = shard.steps.map((s) => toolArgs(words(sub(String(s.run ?? ''))))).find(Boolean) as string[];
      const got = checkRun(run, {});
      expect(got.count).toBe(values.length);
      seen.push(got.index);
      // What the shard uploads is its --out, under the name the merge job downloads it by.
      const upload = shard.steps.find((s) => String(s.uses).startsWith('actions/upload-artifact'));
      expect(sub(upload?.with?.path ?? '')).toBe(got.out);
      expect(upload?.if).toBe(gh('!cancelled()'));
      outs.push(`fleet/${sub(upload?.with?.name ?? '')}`);
    }
    expect(seen.sort()).toEqual(values.map((_, i) => i + 1));
    const merge = wf.jobs.merge as GitHubJob;
    expect(merge.needs).toBe('shard');
    expect(merge.if).toBe(gh('!cancelled()'));
    const download = merge.steps.find((s) => String(s.uses).startsWith('actions/download-artifact'));
    expect(download?.with?.path).toBe('fleet');
    expect(outs.every((o) => globRe(`fleet/${download?.with?.pattern}`).test(o))).toBe(true);
    const mergeRun = merge.steps.map((s) => toolArgs(words(String(s.run ?? '')))).find(Boolean) as string[];
    await checkMerge(mergeRun, outs, join(scratch, 'github'));
    expect(wf.jobs.release?.needs).toBe('merge');
  });

  it('GitLab CI: a parallel matrix of SOPHON_SHARD values, then a merge job that gates', async () => {
    const ci = parseYaml(block('# GitLab CI')) as Record<string, GitLabJob>;
    const shard = ci['lab-shard'] as GitLabJob;
    const values = shard.parallel?.matrix[0]?.SOPHON_SHARD ?? [];
    const outs: string[] = [];
    const seen: number[] = [];
    values.forEach((value, i) => {
      // GitLab numbers a parallel job's instances from 1 (CI_NODE_INDEX).
      const env = { SOPHON_SHARD: value, CI_NODE_INDEX: String(i + 1) };
      const line = shard.script.find((l) => l.includes('sophon-conformance run')) as string;
      const got = checkRun(toolArgs(words(line.replaceAll('$CI_NODE_INDEX', env.CI_NODE_INDEX))) as string[], env);
      expect(got.count).toBe(values.length);
      seen.push(got.index);
      outs.push(got.out);
      expect(shard.artifacts?.paths.some((p) => got.out.startsWith(p))).toBe(true);
    });
    expect(seen.sort()).toEqual(values.map((_, i) => i + 1));
    expect(shard.artifacts?.when).toBe('always');
    const gate = ci['fleet-gate'] as GitLabJob;
    expect(gate.when).toBe('always');
    expect(gate.needs).toEqual(['lab-shard']);
    const line = gate.script.find((l) => l.includes('sophon-conformance merge')) as string;
    await checkMerge(toolArgs(words(line)) as string[], outs, join(scratch, 'gitlab'));
    expect(ci.release?.needs).toEqual(['fleet-gate']);
  });

  it('Kubernetes: an Indexed Job whose indexes reach --shards, then a merge Job over the same volume', async () => {
    const [job] = parseAllDocuments(block('# Kubernetes (lab-shards.yaml)')).map((d) => d.toJS()) as [KubernetesJob];
    const [mergeJob] = parseAllDocuments(block('# Kubernetes (lab-merge.yaml)')).map((d) => d.toJS()) as [
      KubernetesJob,
    ];
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.backoffLimitPerIndex).toBe(0);
    const completions = job.spec.completions ?? 0;
    expect(job.spec.parallelism).toBeLessThanOrEqual(completions);
    const [container] = job.spec.template.spec.containers;
    const args = [...(container?.command ?? []), ...(container?.args ?? [])];
    expect(args[args.indexOf('--shards') + 1]).toBe(String(completions));
    const outs: string[] = [];
    const seen: number[] = [];
    for (let index = 0; index < completions; index++) {
      const env = { JOB_COMPLETION_INDEX: String(index) };
      // Kubernetes expands $(VAR) in args from the container's environment, JOB_COMPLETION_INDEX included.
      const got = checkRun(
        toolArgs(args.map((a) => a.replaceAll('$(JOB_COMPLETION_INDEX)', String(index)))) as string[],
        env,
      );
      expect(got.count).toBe(completions);
      seen.push(got.index);
      outs.push(got.out.replace(/^\//, ''));
    }
    expect(seen).toEqual(Array.from({ length: completions }, (_, i) => i + 1));
    // An index past the Job's completions is refused, so a wrong manifest cannot run a slice twice.
    expect(() =>
      checkRun(toolArgs(args.map((a) => a.replaceAll('$(JOB_COMPLETION_INDEX)', '3'))) as string[], {
        JOB_COMPLETION_INDEX: String(completions),
      }),
    ).toThrow(/want 0 to/);
    const claim = (j: KubernetesJob) =>
      j.spec.template.spec.volumes.find((v) => v.name === 'results')?.persistentVolumeClaim;
    expect(claim(job)?.claimName).toBeTruthy();
    expect(claim(mergeJob)).toEqual(claim(job));
    const merge = mergeJob.spec.template.spec.containers[0]?.command ?? [];
    expect(merge.slice(0, 2)).toEqual(['sh', '-c']);
    const mergeArgs = toolArgs(words(merge[2] ?? '')) as string[];
    await checkMerge(
      mergeArgs.map((a) => a.replace(/^\//, '')),
      outs,
      join(scratch, 'k8s'),
    );
    // The pipeline starts the merge after the Indexed Job, and its success is the gate.
    const script = block('# The release pipeline');
    expect(script.indexOf('lab-shards.yaml')).toBeLessThan(script.indexOf('lab-merge.yaml'));
    expect(script).toMatch(/until finished sophon-lab-shards/);
    expect(script).toMatch(/sophon-lab-merge -o jsonpath='\{\.status\.succeeded\}'\)" = 1/);
  });
});
