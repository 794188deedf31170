import { existsSync } from 'node:fs';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { LedgerStore } from '../../src/ledger/index.ts';
import { configLedger, findConfigFile, loadConfig } from '../../src/settings/load-config.ts';
import { ledgerLocation } from '../record-into-ledger.ts';

export type {
  BuildDiff,
  BuildStatus,
  BuildSummary,
  LedgerRun,
  LedgerStore,
} from '../../src/ledger/index.ts';

/**
 * Where the ledger is: the given location, else SOPHON_LEDGER, else the config file's ledger key (`--config`
 * or ./sophon-conformance.config.yaml), else the default, as for run.
 */
export function findLedger(request: { ledger?: string | undefined; config?: string | undefined }): string {
  const configFile = findConfigFile(request.config, process.cwd());
  const configured = configFile ? loadConfig(configFile) : undefined;
  const fromConfig = configured?.config.ledger;
  const location = ledgerLocation(
    request.ledger ??
      (process.env.SOPHON_LEDGER || undefined) ??
      (typeof fromConfig === 'string' && configured ? configLedger(fromConfig, configured.dir) : undefined),
  );
  if (!location) throw new ConformanceError('CONFIG_INVALID', 'the ledger is switched off (SOPHON_LEDGER=off)');
  return location;
}

/**
 * Opens the ledger at `location`. One only read from must already be there (a typo in --ledger must not
 * create one): else LEDGER_NOT_FOUND.
 */
export async function openLedgerAt(location: string, options: { reading: boolean }): Promise<LedgerStore> {
  if (options.reading && !/^postgres(ql)?:\/\//i.test(location) && !existsSync(location)) {
    throw new ConformanceError(
      'LEDGER_NOT_FOUND',
      `no ledger at ${location} (runs record into it; or ledger import DIR…)`,
    );
  }
  const { openLedger } = await import('../../src/ledger/index.ts');
  return openLedger(location);
}
