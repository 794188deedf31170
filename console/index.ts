import type { ConsoleRequest } from './start-console.ts';

/**
 * The lab console's entry for the command line (`serve --lab`): an extension of the report server, loaded only
 * when asked for, so the report browser alone never loads it.
 */
export async function startLabConsole(request: ConsoleRequest) {
  return (await import('./start-console.ts')).consoleExtension(request);
}
