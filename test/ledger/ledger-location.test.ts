import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLedger, ledgerLocation } from '../../api/record-into-ledger.ts';
import { configLedger } from '../../src/settings/load-config.ts';
import { resolveRunValues } from '../../src/settings/resolve-run-values.ts';

describe('where a run records: --ledger > SOPHON_LEDGER > the config file > reports/ledger', () => {
  it('takes the flag, then the variable, then the default; off switches it off', () => {
    expect(ledgerLocation('x.sqlite', false, { SOPHON_LEDGER: 'y.sqlite' })).toBe('x.sqlite');
    expect(ledgerLocation(undefined, false, { SOPHON_LEDGER: 'postgres://db/l' })).toBe('postgres://db/l');
    expect(ledgerLocation(undefined, false, {})).toBe(defaultLedger());
    expect(defaultLedger()).toBe(resolve('reports', 'ledger', 'ledger.sqlite'));
    expect(ledgerLocation(undefined, false, { SOPHON_LEDGER: 'off' })).toBeUndefined();
    expect(ledgerLocation('x.sqlite', true, {})).toBeUndefined();
  });

  it('reads the config file’s ledger key: a file relative to the file, a URL or off as written', () => {
    expect(configLedger('l.sqlite', '/lab')).toBe('/lab/l.sqlite');
    expect(configLedger('postgres://ci@db:5432/sophon', '/lab')).toBe('postgres://ci@db:5432/sophon');
    expect(configLedger('off', '/lab')).toBe('off');
    const dir = mkdtempSync(join(tmpdir(), 'ledger-config-'));
    try {
      writeFileSync(join(dir, 'sophon-conformance.config.yaml'), 'ledger: ./lab-ledger.sqlite\n');
      const { values } = resolveRunValues({} as { config?: string; ledger?: string }, { env: {}, cwd: dir });
      expect(values.ledger).toBe(join(dir, 'lab-ledger.sqlite'));
      const over = resolveRunValues({} as { config?: string; ledger?: string }, {
        env: { SOPHON_LEDGER: 'postgres://x/y' },
        cwd: dir,
      });
      expect(over.values.ledger).toBe('postgres://x/y');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
