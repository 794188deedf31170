import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import { loadSuite } from '../plan/load-suite.ts';
import { planCases } from '../plan/plan-cases.ts';
import type { LabShardInfo } from '../results/fleet-types.ts';
import type { SettingValues } from '../settings/build-run-settings.ts';
import { listFlag, profileFlag } from '../settings/parse-setting.ts';
import { defaultOf } from '../settings/run-settings-registry.ts';
import { loadSpecs } from '../specs/load-specs.ts';
import { deviceFlags, type LabDevice } from './lab-file.ts';
import { assignShards, labHash, shardWeights } from './lab-shards.ts';

/** A lab as merge will check it, the devices of this slice, and the specs every device's run uses. */
export interface LabPlan {
  lab: LabShardInfo;
  members: LabDevice[];
  specs: { root: string; files: string[] };
}

/**
 * The lab as merge will check it: its hash and every device with its shard, and the specs, suite, profile and
 * planned cases the devices' runs will use, from the settings they share. A bad suite or selection stops the
 * lab here, once, instead of once per device.
 */
export function describeLab(
  devices: readonly LabDevice[],
  shared: SettingValues,
  shard: { index: number; count: number } = { index: 1, count: 1 },
): LabPlan {
  const text = (v: SettingValues[keyof SettingValues]) =>
    v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
  const root = resolve(text(shared.specs) ?? PACKAGE_ROOT);
  const catalogue = loadSpecs(root);
  const suite = text(shared.suite) ?? defaultOf<string>('suite');
  const selection = {
    only: listFlag(shared.only as string | readonly string[] | undefined),
    tags: listFlag(shared.tag as string | readonly string[] | undefined),
  };
  const planned = planCases(catalogue.cases, loadSuite(root, suite), selection);
  const shards = assignShards(shardWeights(devices), shard.count);
  return {
    lab: {
      hash: labHash(devices.map((d) => ({ ...d, flags: deviceFlags(d) }))),
      shard: { index: shard.index, count: shard.count },
      devices: devices.map((d, i) => ({
        name: d.name,
        shard: shards[i] as number,
        ...(d.expectedMinutes !== undefined ? { expectedMinutes: d.expectedMinutes } : {}),
      })),
      suite,
      specHash: catalogue.hash,
      profile: profileFlag(text(shared.profile)),
      selection,
      planHash: createHash('sha256')
        .update(planned.map((c) => c.spec.id).join('\n'))
        .digest('hex'),
      cases: planned.length,
    },
    members: devices.filter((_d, i) => shards[i] === shard.index),
    specs: { root, files: catalogue.files },
  };
}
