import type { ReportServer, ReportServerOptions } from './serve/start-report-server.ts';

export type { ReportServer, ReportServerOptions };

/**
 * Starts the report browser (`serve`): past runs, their comparison, the ledger's builds. Loaded only when
 * called: importing the package does not load the web server.
 */
export async function startReportServer(options: ReportServerOptions): Promise<ReportServer> {
  return (await import('./serve/start-report-server.ts')).startReportServer(options);
}
