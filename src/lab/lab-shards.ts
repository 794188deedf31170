import { createHash } from 'node:crypto';
import { ConformanceError } from '../errors/conformance-error.ts';

/** Which slice of a lab this run checks: the K-th (1-based) of N, and where the choice came from. */
export interface ShardChoice {
  index: number;
  count: number;
  /** How it was given, for messages: `--shard 2/3`, `SOPHON_SHARD=2/3`, `JOB_COMPLETION_INDEX=1 with --shards 3`. */
  from: string;
}

/** The ways a shard can be asked for: the flags as typed (each may be repeated by mistake) and the environment. */
export interface ShardRequest {
  shard: readonly string[];
  shards: readonly string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The shard this run checks, or undefined for the whole lab. `--shard K/N` and `SOPHON_SHARD=K/N` (a CI
 * matrix: GitHub Actions, GitLab `parallel: matrix`) and `--shards N` with `JOB_COMPLETION_INDEX` (0-based,
 * set by a Kubernetes Indexed Job) are the same choice written three ways; given more than once they must
 * agree, since a silently preferred one would check a slice nobody asked for. Every mistake is exit 2.
 */
export function chooseShard(request: ShardRequest): ShardChoice | undefined {
  if (request.shard.length > 1) throw invalid(`--shard is given ${request.shard.length} times; give it once`);
  if (request.shards.length > 1) throw invalid(`--shards is given ${request.shards.length} times; give it once`);
  const choices: ShardChoice[] = [];
  const [flag] = request.shard;
  if (flag !== undefined) choices.push(parseShard(flag, `--shard ${flag}`));
  const fromEnv = request.env.SOPHON_SHARD;
  // An empty variable is an unset one: CI systems define matrix variables as '' on jobs outside the matrix.
  if (fromEnv !== undefined && fromEnv !== '') choices.push(parseShard(fromEnv, `SOPHON_SHARD=${fromEnv}`));
  const [shards] = request.shards;
  if (shards !== undefined) choices.push(indexedJobShard(shards, request.env.JOB_COMPLETION_INDEX));
  const [first, ...others] = choices;
  const disagreeing = others.find((c) => c.index !== first?.index || c.count !== first?.count);
  if (first && disagreeing) {
    throw invalid(`${first.from} and ${disagreeing.from} ask for different shards; give one of them`);
  }
  return first;
}

/** `K/N`: whole numbers, N ≥ 1, 1 ≤ K ≤ N. */
export function parseShard(text: string, from: string): ShardChoice {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw invalid(`${from}: want K/N, the K-th of N slices of the lab (e.g. --shard 2/3)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw invalid(`${from}: N must be at least 1`);
  if (index < 1 || index > count) {
    throw invalid(`${from}: K must be from 1 to ${count} (shards count from 1: 1/${count} … ${count}/${count})`);
  }
  return { index, count, from };
}

function indexedJobShard(shards: string, completionIndex: string | undefined): ShardChoice {
  const count = Number(shards);
  if (!/^\d+$/.test(shards.trim()) || count < 1) throw invalid(`--shards ${shards}: want a whole number ≥ 1`);
  if (completionIndex === undefined || completionIndex === '') {
    throw invalid(
      `--shards ${shards} needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it); elsewhere use --shard K/N`,
    );
  }
  const index = Number(completionIndex);
  if (!/^\d+$/.test(completionIndex.trim()) || index >= count) {
    throw invalid(
      `JOB_COMPLETION_INDEX=${completionIndex} with --shards ${shards}: want 0 to ${count - 1} (set the Job's completions to ${shards})`,
    );
  }
  return { index: index + 1, count, from: `JOB_COMPLETION_INDEX=${completionIndex} with --shards ${shards}` };
}

/**
 * The shard (1-based) of each device, in lab order: each device in turn goes to the shard with the least
 * expected run time so far (the lowest-numbered on a tie). Without expected times every weight is 1, which is
 * round-robin. Stable when a device is appended: a device's shard depends only on the devices before it, so
 * appending one never moves another (merge still refuses to mix shards from before and after, because the
 * lab's hash changes). Balanced to within one device's time of the lightest shard, the bound of greedy list
 * scheduling; sorting by time first (LPT) balances a little better but would move devices whenever one is
 * added. Changing N re-deals every device: the slices are stable in the lab file, not in the shard count.
 */
export function assignShards(weights: readonly number[], count: number): number[] {
  const load = new Array<number>(count).fill(0);
  return weights.map((weight) => {
    let best = 0;
    for (let k = 1; k < count; k++) if ((load[k] as number) < (load[best] as number)) best = k;
    load[best] = (load[best] as number) + weight;
    return best + 1;
  });
}

/**
 * Expected minutes as whole seconds, so the loads compared in assignShards are exact integers on every
 * machine. A lab that gives no times weighs every device 1; one that gives some must give all (a lab-wide
 * `expected-minutes:` covers the rest), since any default we chose would be a guess that unbalances.
 */
export function shardWeights(devices: readonly { name: string; expectedMinutes?: number | undefined }[]): number[] {
  const given = devices.filter((d) => d.expectedMinutes !== undefined).length;
  if (given === 0) return devices.map(() => 1);
  const missing = devices.find((d) => d.expectedMinutes === undefined);
  if (missing) {
    throw invalid(
      `device ${missing.name} has no expected-minutes while ${given} others do; give every device one, or the lab file a lab-wide "expected-minutes:"`,
    );
  }
  return devices.map((d) => Math.max(1, Math.round((d.expectedMinutes as number) * 60)));
}

/** A lab's identity: sha256 over every device's name, target, own flags and expected time, in order. */
export function labHash(
  devices: readonly { name: string; target: string; flags: readonly string[]; expectedMinutes?: number | undefined }[],
): string {
  const hash = createHash('sha256');
  for (const d of devices) {
    hash.update(JSON.stringify([d.name, d.target, d.flags, d.expectedMinutes ?? null]));
    hash.update('\n');
  }
  return hash.digest('hex');
}

function invalid(message: string): ConformanceError {
  return new ConformanceError('CONFIG_INVALID', message);
}
