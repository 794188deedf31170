import { ConformanceError } from '../errors/conformance-error.ts';
import type { PlatformLogin } from '../transports/platform-login.ts';
import { queueConsumers } from '../transports/queue-probe.ts';

const LOOK_EVERY_MS = 250;

/** What the wait needs: the broker, the command queue, the login endpoint and the up window. */
export interface PlatformLoginWait {
  brokerUrl: string;
  commandQueue: string;
  login: PlatformLogin;
  loginUrl: string;
  withinMs: number;
  signal: AbortSignal;
}

/**
 * With --platform-login a device learns its command queue at the login, so it can only declare and consume it
 * once it has logged in: the run waits for that within the up window (--up-within) instead of refusing to start
 * on a queue that does not exist yet. It returns as soon as the queue has a consumer, or at the end of the
 * window when the queue exists without one (the run then goes on as without --platform-login); with no queue
 * by then it stops (exit 2) saying whether anybody logged in.
 */
export async function awaitPlatformLogin(wait: PlatformLoginWait): Promise<void> {
  const deadline = performance.now() + wait.withinMs;
  for (;;) {
    let consumers: number | undefined;
    try {
      consumers = await queueConsumers(wait.brokerUrl, wait.commandQueue);
    } catch (error) {
      throw new ConformanceError('BROKER_UNREACHABLE', (error as Error).message);
    }
    if (consumers !== undefined && (consumers > 0 || performance.now() >= deadline)) return;
    if (performance.now() >= deadline) throw notThere(wait);
    if (wait.signal.aborted) {
      throw new ConformanceError(
        'TARGET_UNREACHABLE',
        `interrupted while waiting for a device to log in at ${wait.loginUrl}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
}

function notThere(wait: PlatformLoginWait): ConformanceError {
  const within = `within ${wait.withinMs} ms (--up-within)`;
  const accepted = wait.login.logins.find((login) => login.accepted);
  if (accepted) {
    return new ConformanceError(
      'TARGET_UNREACHABLE',
      `device ${accepted.licenseKey ?? ''} logged in at ${wait.loginUrl} but did not declare its command queue "${wait.commandQueue}" ${within}`,
    );
  }
  const tried = wait.login.logins.length;
  return new ConformanceError(
    'TARGET_UNREACHABLE',
    tried > 0
      ? `no device logged in at ${wait.loginUrl} ${within}: ${tried} login${tried > 1 ? 's were' : ' was'} refused (the platform login lines above say why)`
      : `no device logged in at ${wait.loginUrl} ${within}: set MQ_LOGIN_URL on the device to that URL`,
  );
}
