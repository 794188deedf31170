import type { CasePhase, PhaseEvent } from '../results/progress.ts';
import type { WatchStep } from './reboot-watcher.ts';

/** How a case says which phase it is in (the run passes it on to the live console). */
export type PhaseReport = (phase: CasePhase, detail?: Omit<PhaseEvent, 'id' | 'phase'>) => void;

/** For a case nobody watches. */
export const NO_REPORT: PhaseReport = () => {};

/**
 * The reboot watcher's steps as a person reads them: watching for the device to go down (or, with a quiet
 * window, that it stays up), then waiting for it to come back, then for its API.
 */
export function reportWatch(
  report: PhaseReport,
  windows: { watchMs: number; upWithinMs: number; quiet: boolean },
): (step: WatchStep, atMs: number) => void {
  let downAt = 0;
  return (step, atMs) => {
    if (step === 'watch') {
      report(windows.quiet ? 'watching-quiet' : 'watching-down', { windowMs: windows.watchMs });
    } else if (step === 'down') {
      downAt = atMs;
      report('waiting-up', { downAfterMs: atMs, windowMs: windows.upWithinMs });
    } else {
      report('waiting-api', { downAfterMs: downAt, windowMs: Math.max(0, windows.upWithinMs - (atMs - downAt)) });
    }
  };
}
