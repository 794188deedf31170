import { parseArgs } from 'node:util';
import { ConformanceError } from '../../api/errors.ts';
import { redactUrl } from '../../api/redact.ts';
import { portFlag } from '../../api/run-flags.ts';
import { serveLedgerLocation } from '../../api/serve/ledger-routes.ts';
import { startReportServer } from '../../api/serve/start-report-server.ts';
import { defaultReportsDir } from '../../api/tool-info.ts';
import { startLabConsole } from '../../console/index.ts';

export const SERVE_USAGE = `Usage: sophon-conformance serve [DIR] [--port N] [--host ADDRESS] [--ledger PATH|postgres://…]
                                [--lab FILE --token-file FILE]

  DIR              folder holding one subfolder per run, each with a report.json (default reports/out)
  --port N         port to listen on (default 0: a free port)
  --host ADDRESS   address to listen on (default 127.0.0.1; the reports hold device details)
  --lab FILE       also be the lab's console (/console, REST under /api/, /api/openapi.json): start, watch,
                   stop and resume runs on the devices of FILE (the format run --lab reads). Runs wipe devices
  --token-file F   a secret every page and API call then needs (Authorization: Bearer <token>, or the login
                   form); required with --lab on any address other than loopback
  --ledger PATH|URL  the results ledger: /builds shows its builds read-only, and the console records its runs
                   and every start, stop and resume into it (default: SOPHON_LEDGER, else the config file's
                   ledger key, else reports/ledger/ledger.sqlite, where run records); --no-ledger: none`;

/**
 * `serve [DIR] [--port N] [--host ADDRESS]`: browse past runs until SIGINT or SIGTERM (or `stop`);
 * returns the exit code.
 */
export async function serveCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  stop?: AbortSignal,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      lab: { type: 'string' },
      'token-file': { type: 'string' },
      ledger: { type: 'string' },
      'no-ledger': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    throw new ConformanceError('CONFIG_INVALID', `serve takes one folder, got ${positionals.join(' ')}`);
  }
  const port = portFlag('port', values.port) ?? 0;
  if (port > 65535) throw new ConformanceError('CONFIG_INVALID', `--port ${port}: want 0…65535`);
  const host = values.host ?? '127.0.0.1';
  const dir = positionals[0] ?? defaultReportsDir();
  // One ledger for both: the pages show what the console records.
  const ledger = serveLedgerLocation(values.ledger, values['no-ledger'] === true);
  const lab = values.lab
    ? await startLabConsole({
        lab: values.lab,
        tokenFile: values['token-file'],
        host,
        dir,
        ledger,
        say: (line) => out.write(`${line}\n`),
      })
    : undefined;
  if (!lab && values['token-file']) throw new ConformanceError('CONFIG_INVALID', '--token-file goes with --lab FILE');
  const server = await startReportServer({
    dir,
    host,
    port,
    ...(lab ? { extend: lab.extend } : {}),
    ...(ledger ? { ledger } : {}),
  });
  out.write(`serving reports at ${server.url}\n`);
  if (lab) out.write(`${lab.describe(server.url)}\n`);
  if (ledger) out.write(`the ledger's builds at ${server.url}builds (${redactUrl(ledger)}, read-only)\n`);
  await new Promise<void>((resolveStop) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      stop?.removeEventListener('abort', done);
      resolveStop();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (stop?.aborted) done();
    else stop?.addEventListener('abort', done);
  });
  await server.close();
  return 0;
}
