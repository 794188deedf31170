import type { ConsoleRequest } from '../../console/start-console.ts';

/**
 * The lab console (`serve --lab`, console/) as an extension of the report server. The console is built on
 * the API; it is loaded only when asked for, so the report browser alone never loads it.
 */
export async function startLabConsole(request: ConsoleRequest) {
  return (await import('../../console/start-console.ts')).consoleExtension(request);
}
