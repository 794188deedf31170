import { describe, expect, it } from 'vitest';
import { CONFIRM_TIMEOUT_MS, type ProbeResult, watchReboot } from '../../src/run/reboot-watcher.ts';

// A lost SYN on a lab network must not read as a reboot: a probe that only times out is asked again, longer,
// before the device counts as down (a false "rebooted" fails every case that must leave the device up).
function scripted(first: ProbeResult[], then: ProbeResult) {
  const seen: { result: ProbeResult; timeoutMs: number }[] = [];
  const probe = async (_host: string, _port: number, timeoutMs: number): Promise<ProbeResult> => {
    const result = first.shift() ?? then;
    seen.push({ result, timeoutMs });
    return result;
  };
  return { probe, seen };
}

const watch = (probe: ReturnType<typeof scripted>['probe']) =>
  watchReboot({
    target: 'http://127.0.0.1:9',
    downWithinMs: 200,
    upWithinMs: 100,
    watchMs: 200,
    probeIntervalMs: 10,
    since: performance.now(),
    probe,
  });

describe('watching for the device going down', () => {
  it('does not count one silent probe that a longer one answers', async () => {
    const { probe, seen } = scripted(['accepted', 'timeout', 'accepted'], 'accepted');
    const timeline = await watch(probe);
    expect(timeline.outcome).toBe('stayed-up');
    expect(seen[2]).toEqual({ result: 'accepted', timeoutMs: CONFIRM_TIMEOUT_MS });
  });

  it('counts a refused connection at once', async () => {
    const { probe, seen } = scripted(['accepted', 'refused'], 'refused');
    const timeline = await watch(probe);
    expect(timeline.downAtMs).toBeDefined();
    expect(timeline.outcome).toBe('not-back');
    expect(seen.slice(0, 2).map((s) => s.result)).toEqual(['accepted', 'refused']);
  });

  it('counts two silent probes in a row as down, from the first', async () => {
    const { probe, seen } = scripted(['timeout', 'timeout'], 'refused');
    const timeline = await watch(probe);
    expect(timeline.outcome).toBe('not-back');
    expect(timeline.downAtMs).toBeLessThan(50);
    expect(seen[1]?.timeoutMs).toBe(CONFIRM_TIMEOUT_MS);
  });
});
