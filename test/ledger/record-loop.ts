// Records made-up runs into the ledger at argv[2] until killed, printing each run's id once its commit returned.
import { openLedger } from '../../src/ledger/index.ts';
import { makeReport } from './make-report.ts';

const store = await openLedger(process.argv[2] ?? '');
const cases = Array.from({ length: 92 }, (_, i) => ({ id: `http.case-${i}`, verdict: 'pass' as const }));
for (let i = 0; ; i++) {
  const report = makeReport({
    firmware: `6.2.${i % 5}`,
    cases,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  });
  const { id } = await store.recordRun(report, `loop-${process.pid}-${i}`);
  process.stdout.write(`${id}\n`);
}
