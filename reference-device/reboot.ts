import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DeviceBehaviour } from './device-behaviour.ts';
import type { DeviceContext } from './device-context.ts';
import { registerFaceApi } from './face-api.ts';
import { type HeldReply, MqConsumer, type MqSettings } from './mq-consumer.ts';
import { recogniseContinuously } from './recognition.ts';
import { Store } from './store.ts';
import { registerSystemApi } from './system-api.ts';
import { createVendorServer, type HttpLimits } from './vendor-server.ts';

/**
 * A lifecycle event of the device, with both clocks so a test can order it against its own.
 * `stop-serving` and `serving` are the exact moments the API port stops and starts accepting connections
 * (the edges a reboot watcher sees); `down`, `up` and `ready` follow once the step is complete.
 */
export interface LifecycleEvent {
  kind: 'stop-serving' | 'down' | 'serving' | 'up' | 'ready';
  at: number;
  hr: bigint;
}

export interface LifecycleOptions {
  host: string;
  port: number;
  systemPort: number;
  dataDir: string;
  licenseKey: string | undefined;
  /** What getsoftwareversion reports (default SOFTWARE_VERSION). */
  firmware?: string | undefined;
  bootMs: number;
  initMs: number;
  rebootDelayMs: number;
  /** Timeouts against slow clients and the body size limit of both listeners. */
  limits: HttpLimits;
  /** What the device does where a choice or a defect is possible (its faults and variants, composed). */
  behaviour: DeviceBehaviour;
  /** How long a wipe takes before it is answered (variant slow-sync-wipe); 0 otherwise. */
  wipeMs: number;
  /** After a reboot, how long after the API is ready the MQ consumer starts (variant mq-consumer-late); 0 otherwise. */
  consumerLateMs: number;
  onLifecycle: ((event: LifecycleEvent) => void) | undefined;
  /** The MQ channel, when the device has one. */
  amqp: MqSettings | undefined;
}

/** One boot of the device: the store it loaded, the two servers it listens with, its MQ consumer. */
interface Boot {
  store: Store;
  api: FastifyInstance;
  /** Absent on a device without a system port (variant no-system-port). */
  system: FastifyInstance | undefined;
  mq: MqConsumer | undefined;
  /** Stops the continuous recognition of variant records-keep-coming, when it runs. */
  stopRecognition?: () => void;
}

// While the ports are taken by someone else after a reboot, try again this often.
const LISTEN_RETRY_MS = 100;

/**
 * How long the host has been up when the device starts: the vendor's own example, "3 hours, 57 minutes". A lab
 * device has been on a while before a run, and a checker reading whole minutes can then tell the first reboot
 * from an API that only restarted; every later reboot starts the clock from 0 again, as on real hardware.
 */
export const HOST_UP_AT_START_MS = (3 * 60 + 57) * 60_000;

/**
 * The device's power cycle (design §5, HTTP-13): boot (load the store from disk, listen on both
 * ports), initialise (getmediadevices answers DEVICE_INIT_ERROR), ready; on a reboot: close both
 * listeners and every connection, drop the in-memory state, stay down, boot again on the same ports.
 * Every step runs on one queue, so close() can always wait for the step in progress and then stop.
 */
export class DeviceLifecycle {
  private readonly options: LifecycleOptions;
  private port: number;
  private systemPort: number;
  private boot: Boot | undefined;
  private phase: 'off' | 'initializing' | 'ready' | 'down' | 'closed' = 'off';
  private rebootPending = false;
  private rebootCount = 0;
  /** performance.now() when the host booted: a reboot starts it again, an API restart (fault) does not. */
  private hostBootedAt = performance.now() - HOST_UP_AT_START_MS;
  private hostRebooting = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Pending delay() waits, ended at once by close(). */
  private readonly waits = new Set<() => void>();
  private steps: Promise<void> = Promise.resolve();
  private licenseKeyValue = '';
  private closing: Promise<void> | undefined;
  // Replies the mq-reply-after-reboot fault keeps across a reboot (the lifecycle outlives each boot).
  private readonly heldReplies: HeldReply[] = [];

  constructor(options: LifecycleOptions) {
    this.options = options;
    this.port = options.port;
    this.systemPort = options.systemPort;
  }

  /** The first boot; resolves once the device is ready, rejects (having cleaned up) if it cannot boot. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.onReady = resolve;
      this.onFirstBootFailed = reject;
    });
    await this.bootUp(true);
    try {
      await ready;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  get ports(): { port: number; systemPort: number } {
    return { port: this.port, systemPort: this.systemPort };
  }

  get licenseKey(): string {
    return this.licenseKeyValue;
  }

  get reboots(): number {
    return this.rebootCount;
  }

  /** Stops everything, even mid-reboot: no listener, connection or timer is left. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.phase = 'closed';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const finish of this.waits) finish();
    this.waits.clear();
    // The consumer first: a step may be waiting for its connection attempt.
    const consumerClosed = this.boot?.mq?.close();
    await this.steps;
    await consumerClosed;
    const boot = this.boot;
    this.boot = undefined;
    if (boot) await shutDown(boot);
  }

  private onReady: () => void = () => {};
  private onFirstBootFailed: (error: unknown) => void = () => {};

  private schedule(ms: number, step: () => Promise<void> | void): void {
    if (this.phase === 'closed') return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(step);
    }, ms);
    this.timers.add(timer);
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.steps = this.steps.then(step).catch((error: unknown) => {
      process.stderr.write(`reference device: ${String(error)}\n`);
    });
  }

  /** Reboot after `delayMs`; a reboot already on its way absorbs the request. */
  private requestReboot(delayMs: number): void {
    if (this.rebootPending || this.phase === 'closed' || this.phase === 'down') return;
    this.rebootPending = true;
    this.schedule(delayMs, () => this.goDown());
  }

  private async goDown(): Promise<void> {
    const boot = this.boot;
    if (this.phase === 'closed' || !boot) return;
    this.boot = undefined;
    this.phase = 'down';
    this.rebootCount++;
    // The listeners close inside shutDown, right after the MQ consumer: the port refuses from here on.
    this.emit('stop-serving');
    await shutDown(boot);
    if (this.isClosed()) return;
    this.emit('down');
    // Only the API process may go down and come back (fault api-restart-only): the host, and its clock, run on.
    const { reboot } = this.options.behaviour;
    this.hostRebooting = reboot.restarts === 'host';
    if (!reboot.comesBack) return;
    this.schedule(this.options.bootMs, () => this.bootUp(false));
  }

  private async bootUp(first: boolean): Promise<void> {
    if (this.phase === 'closed') return;
    // The host comes up before anything listens; a retry after a taken port is the same boot, still counting.
    if (this.hostRebooting) {
      this.hostBootedAt = performance.now();
      this.hostRebooting = false;
    }
    // Re-read from disk on every boot: what survives a reboot is exactly what was persisted.
    const store = await Store.open(this.options.dataDir, first ? { licenseKey: this.options.licenseKey } : {});
    this.licenseKeyValue = store.state.licenseKey;
    const ctx = this.contextFor(store);
    const { behaviour, limits } = this.options;
    const api = createVendorServer(behaviour, limits);
    registerFaceApi(api, ctx);
    const system = behaviour.system.port === 'none' ? undefined : createVendorServer(behaviour, limits);
    if (system) registerSystemApi(system, ctx, this.options.firmware);
    const boot: Boot = { store, api, system, mq: undefined };
    try {
      await api.listen({ host: this.options.host, port: this.port });
      this.emit('serving');
      await system?.listen({ host: this.options.host, port: this.systemPort });
    } catch (error) {
      await shutDown(boot);
      if (first) throw error;
      // The port was taken while the device was down; a real device would keep retrying too.
      process.stderr.write(`reference device: cannot listen again (${String(error)}); retrying\n`);
      this.schedule(LISTEN_RETRY_MS, () => this.bootUp(false));
      return;
    }
    if (this.isClosed()) {
      await shutDown(boot);
      return;
    }
    // Port 0 picks a port once; every later boot comes back on the same one.
    this.port = (api.server.address() as AddressInfo).port;
    this.systemPort = system ? (system.server.address() as AddressInfo).port : 0;
    this.boot = boot;
    this.phase = 'initializing';
    if (behaviour.management.recognition === 'keeps-recording') {
      // What is recorded reaches the disk as a wipe does: an in-memory wipe keeps its records in memory too.
      boot.stopRecognition = recogniseContinuously(store, { persist: behaviour.deletes.persisted });
    }
    this.rebootPending = false;
    // The MQ consumer starts with the listeners and the device is ready only once it consumes (or, after
    // a reboot, once its first attempt failed: it then keeps retrying). The first boot fails without it.
    // Variant mq-consumer-late: after a reboot the consumer starts only a while after the API is ready, as a
    // device that first logs in at MQ_LOGIN_URL for its broker settings (sophon-api.md).
    let consumerStarted: Promise<void> = Promise.resolve();
    const late = !first && this.options.consumerLateMs > 0;
    if (this.options.amqp) {
      boot.mq = this.consumerFor(boot, store, first);
      if (!late) {
        consumerStarted = first ? boot.mq.start() : boot.mq.startInBackground();
        consumerStarted.catch(() => {});
      }
    }
    this.emit('up');
    this.schedule(this.options.initMs, async () => {
      try {
        await consumerStarted;
      } catch (error) {
        this.onFirstBootFailed(error);
        return;
      }
      if (this.boot !== boot || this.phase !== 'initializing') return;
      this.phase = 'ready';
      this.emit('ready');
      this.onReady();
      if (late && boot.mq) {
        const consumer = boot.mq;
        // Only while this boot is still the current one: a reboot or close() in between closed its consumer.
        this.schedule(this.options.consumerLateMs, () =>
          this.boot === boot && this.phase === 'ready' ? consumer.startInBackground() : undefined,
        );
      }
    });
  }

  private consumerFor(boot: Boot, store: Store, first: boolean): MqConsumer {
    const { amqp, behaviour } = this.options;
    if (!amqp) throw new Error('no MQ settings');
    // A firmware may make up its MQ key at every boot (fault mq-license-key-changes-on-reboot).
    const rebooted = !first && behaviour.mq.licenseKeyAfterReboot === 'new';
    return new MqConsumer({
      settings: amqp,
      store,
      behaviour,
      wipeMs: this.options.wipeMs,
      delay: (ms) => this.delay(ms),
      licenseKey: rebooted ? randomBytes(16).toString('hex') : store.state.licenseKey,
      heldReplies: this.heldReplies,
      // Only while this boot is the current one: a consumer that is going down never reboots the next boot.
      rebootAfterWipe: () => {
        if (this.boot === boot) this.requestReboot(this.options.rebootDelayMs);
      },
    });
  }

  private contextFor(store: Store): DeviceContext {
    return {
      store,
      behaviour: this.options.behaviour,
      wipeMs: this.options.wipeMs,
      delay: (ms) => this.delay(ms),
      bootedAt: this.hostBootedAt,
      isInitializing: () => this.phase === 'initializing',
      rebootAfterResponse: (reply: FastifyReply) => {
        // 'close' follows 'finish' once the response is fully handed to the connection, and also
        // fires if the client went away first: the wipe happened either way, so the reboot follows.
        reply.raw.once('close', () => this.requestReboot(this.options.rebootDelayMs));
      },
      rebootNow: () => this.requestReboot(0),
    };
  }

  /** A wait that close() cuts short, so a slow step (variant slow-sync-wipe) never outlives the device. */
  private delay(ms: number): Promise<void> {
    if (this.phase === 'closed' || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(finish);
        resolve();
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waits.add(finish);
    });
  }

  // A separate method so TypeScript does not narrow `phase` across the awaits that precede the check.
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private emit(kind: LifecycleEvent['kind']): void {
    try {
      this.options.onLifecycle?.({ kind, at: Date.now(), hr: process.hrtime.bigint() });
    } catch (error) {
      process.stderr.write(`reference device: onLifecycle threw: ${String(error)}\n`);
    }
  }
}

// The MQ consumer closed (a command in progress stays unacked and is redelivered after the boot), both
// listeners closed and every connection destroyed (Fastify's forceCloseConnections plus an explicit
// closeAllConnections), then the store's pending writes are awaited and it is dropped.
async function shutDown(boot: Boot): Promise<void> {
  boot.stopRecognition?.();
  if (boot.mq) await boot.mq.close();
  const closing = [boot.api, ...(boot.system ? [boot.system] : [])].map(async (app) => {
    const done = app.close();
    if (app.server.listening) app.server.closeAllConnections();
    await done;
  });
  await Promise.all(closing);
  await boot.store.close();
}
