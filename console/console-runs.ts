import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordIntoLedger } from '../api/record-into-ledger.ts';
import { loadResumePoint } from '../api/resume-run.ts';
import { type RunEvent, runWithReports } from '../api/run-with-reports.ts';
import { ProgressEstimate } from '../reports/progress-estimate.ts';
import type { ConsoleAction } from '../src/ledger/types.ts';
import { PACKAGE, PACKAGE_ROOT } from '../src/package-root.ts';
import { readReport } from '../src/results/read-report.ts';
import type { CaseResult } from '../src/results/types.ts';
import { buildRunSettings, type SettingValues } from '../src/settings/build-run-settings.ts';
import type { ConsoleDevice } from './lab-devices.ts';

/** What a console run may choose; the rest comes from the lab file's device entry. */
export interface RunRequest {
  suite?: string | undefined;
  only?: string[] | undefined;
  tag?: string[] | undefined;
  profile?: 'strict' | 'lenient' | undefined;
  /** Reboot windows in ms, when the form gives them (else the lab file's, else the defaults). */
  downWithinMs?: number | undefined;
  upWithinMs?: number | undefined;
}

export type RunState = 'running' | 'stopping' | 'ended' | 'interrupted';

/** The live line's facts, as the terminal shows them: n/N, the case, its phase and window, time spent and left. */
export interface RunStatus {
  done: number;
  total: number;
  caseId?: string | undefined;
  phase?: string | undefined;
  windowMs?: number | undefined;
  elapsedMs: number;
  leftMs?: number | undefined;
}

/** What a watcher receives, in order; a late watcher gets every earlier event first. */
export type ConsoleEvent =
  | { type: 'start'; total: number; suite: string }
  | { type: 'status'; status: RunStatus }
  | { type: 'result'; id: string; verdict: CaseResult['verdict']; level: string; message: string }
  | { type: 'end'; state: RunState; exitCode: number; complete: boolean };

/** A run as the REST API shows it. */
export interface RunView {
  id: string;
  device: string;
  state: RunState;
  startedAt: string;
  startedBy: string;
  request: RunRequest;
  exitCode?: number | undefined;
  complete?: boolean | undefined;
  status?: RunStatus | undefined;
  /** Where its report is browsed, once written. */
  reportUrl?: string | undefined;
}

// What the console keeps beside a run's reports, so a restarted console finds it again.
const META_FILE = 'console-run.json';
const AUDIT_FILE = 'console-audit.ndjson';

interface LiveRun extends RunView {
  dir: string;
  events: ConsoleEvent[];
  watchers: Set<(event: ConsoleEvent) => void>;
  controller?: AbortController;
  done?: Promise<void>;
}

/** A start refused: the device is busy with another run. */
export class DeviceBusy extends Error {
  constructor(readonly runId: string) {
    super(`the device is busy with run ${runId}: one run per device at a time (stop it, or wait for it to end)`);
  }
}

/**
 * The console's runs: one per device at a time, each running through the programmatic API into a folder of
 * its own under `dir` (the same folders `serve` browses), watched by any number of browsers. Every start, stop
 * and resume is appended to console-audit.ndjson (who, when, what). A run found in `dir` without a complete
 * report when the console starts was cut short by a restart: it is `interrupted`, and resumable.
 */
export class ConsoleRuns {
  private readonly runs = new Map<string, LiveRun>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly devices: ReadonlyMap<string, ConsoleDevice>,
    /** The results ledger every finished run and every start, stop and resume go into; absent: none. */
    private readonly ledger?: string | undefined,
    /** Where a line about the ledger goes when it cannot be written (the console's output). */
    private readonly say: (line: string) => void = () => {},
  ) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !existsSync(join(dir, entry.name, META_FILE))) continue;
      const folder = join(dir, entry.name);
      const meta = JSON.parse(readFileSync(join(folder, META_FILE), 'utf8')) as RunView;
      const report = existsSync(join(folder, 'report.json')) ? safeRead(join(folder, 'report.json')) : undefined;
      const state: RunState = report?.complete ? 'ended' : 'interrupted';
      this.runs.set(meta.id, {
        ...meta,
        state,
        exitCode: report?.exitCode ?? meta.exitCode,
        complete: report?.complete ?? false,
        dir: folder,
        events: [],
        watchers: new Set(),
        ...(report ? { reportUrl: `/runs/${entry.name}/` } : {}),
      });
    }
  }

  list(): RunView[] {
    return [...this.runs.values()].map(view).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  get(id: string): RunView | undefined {
    const run = this.runs.get(id);
    return run ? view(run) : undefined;
  }

  /** The folder of a run, for its report. */
  folderOf(id: string): string | undefined {
    return this.runs.get(id)?.dir;
  }

  /** The latest run of a device, for the device list. */
  lastOf(device: string): RunView | undefined {
    return this.list().find((r) => r.device === device);
  }

  /** Starts a run on a device; throws DeviceBusy when one is under way there. */
  start(deviceName: string, request: RunRequest, who: string): RunView {
    const device = this.devices.get(deviceName);
    if (!device) throw new Error(`no device ${deviceName} in the lab`);
    this.refuseBusy(deviceName);
    const id = `${new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19)}-${deviceName}-${randomBytes(2).toString('hex')}`;
    const run: LiveRun = {
      id,
      device: deviceName,
      state: 'running',
      startedAt: new Date().toISOString(),
      startedBy: who,
      request,
      dir: join(this.dir, id),
      events: [],
      watchers: new Set(),
    };
    this.runs.set(id, run);
    this.launch(run, device, undefined);
    this.audit(who, 'start', run);
    return view(run);
  }

  /** Stops a run after its current step: it writes a partial report and can be resumed. */
  stop(id: string, who: string): RunView | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    if (run.state === 'running' && run.controller) {
      run.state = 'stopping';
      run.controller.abort();
      this.audit(who, 'stop', run);
    }
    return view(run);
  }

  /** Resumes an interrupted (stopped, or cut by a restart) run in its own folder; its finished cases are kept. */
  resume(id: string, who: string): RunView | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    if (run.state !== 'interrupted' && !(run.state === 'ended' && run.complete === false)) {
      throw new Error(`run ${id} is ${run.state}${run.complete ? ' and complete' : ''}: nothing to resume`);
    }
    const device = this.devices.get(run.device);
    if (!device) throw new Error(`the lab no longer has device ${run.device}`);
    this.refuseBusy(run.device);
    run.state = 'running';
    run.events = [];
    delete run.reportUrl;
    this.launch(run, device, loadResumePoint(run.dir));
    this.audit(who, 'resume', run);
    return view(run);
  }

  /** Follows a run: every event so far, then each new one, until `unwatch` is called or the run ends. */
  watch(id: string, listener: (event: ConsoleEvent) => void): (() => void) | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    for (const event of run.events) listener(event);
    if (run.state !== 'running' && run.state !== 'stopping') {
      if (!run.events.some((e) => e.type === 'end')) {
        listener({ type: 'end', state: run.state, exitCode: run.exitCode ?? 3, complete: run.complete ?? false });
      }
      return () => {};
    }
    run.watchers.add(listener);
    return () => run.watchers.delete(listener);
  }

  /** Stops every run (the console is shutting down) and waits for their partial reports. */
  async close(): Promise<void> {
    for (const run of this.runs.values()) run.controller?.abort();
    await Promise.all([...this.runs.values()].map((r) => r.done));
    await this.pending;
  }

  private refuseBusy(device: string): void {
    const busy = [...this.runs.values()].find(
      (r) => r.device === device && (r.state === 'running' || r.state === 'stopping'),
    );
    if (busy) throw new DeviceBusy(busy.id);
  }

  private launch(run: LiveRun, device: ConsoleDevice, resume: ReturnType<typeof loadResumePoint> | undefined): void {
    const values: SettingValues = {
      ...device.values,
      ...(run.request.suite ? { suite: run.request.suite } : {}),
      ...(run.request.only?.length ? { only: run.request.only } : {}),
      ...(run.request.tag?.length ? { tag: run.request.tag } : {}),
      ...(run.request.profile ? { profile: run.request.profile } : {}),
      ...(run.request.downWithinMs ? { 'down-within': run.request.downWithinMs } : {}),
      ...(run.request.upWithinMs ? { 'up-within': run.request.upWithinMs } : {}),
      ...(resume ? { suite: resume.suite, profile: resume.profile } : {}),
    };
    const controller = new AbortController();
    run.controller = controller;
    const settings = buildRunSettings(values, {
      root: PACKAGE_ROOT,
      tool: { name: PACKAGE.name, version: PACKAGE.version },
      signal: controller.signal,
      ...(resume?.selection ? { selection: resume.selection } : {}),
      ...(resume ? { earlier: resume.earlier } : {}),
    });
    mkdirSync(run.dir, { recursive: true });
    writeFileSync(join(run.dir, META_FILE), `${JSON.stringify(view(run), null, 2)}\n`);
    const emit = (event: ConsoleEvent) => {
      run.events.push(event);
      for (const watcher of run.watchers) watcher(event);
    };
    const tracker = new StatusTracker();
    run.done = runWithReports(settings, {
      out: run.dir,
      reporters: ['json', 'junit', 'html'],
      onEvent: (event) => {
        for (const out of tracker.see(event)) emit(out);
        run.status = tracker.status();
      },
    })
      .then(async ({ report, written }) => {
        run.state = report.complete ? 'ended' : 'interrupted';
        run.exitCode = report.exitCode;
        run.complete = report.complete;
        run.reportUrl = `/runs/${run.id}/`;
        // A ledger that cannot be written changes nothing of the run: the line says how to record it later.
        if (this.ledger) this.say(await recordIntoLedger(report, written.json ?? run.dir, this.ledger));
      })
      .catch((error: unknown) => {
        // A run that could not be carried out (the device gone at the start, a bad setting): exit 2, said once.
        run.state = 'ended';
        run.exitCode = 2;
        run.complete = false;
        emit({ type: 'result', id: '(run)', verdict: 'could-not-test', level: 'MUST', message: String(error) });
      })
      .finally(() => {
        emit({ type: 'end', state: run.state, exitCode: run.exitCode ?? 2, complete: run.complete ?? false });
        run.watchers.clear();
        delete run.controller;
        writeFileSync(join(run.dir, META_FILE), `${JSON.stringify(view(run), null, 2)}\n`);
      });
  }

  // Every start, stop and resume: in the ledger, and in console-audit.ndjson beside the runs (kept even when
  // the ledger cannot be written, so nothing done to a device goes unrecorded).
  private audit(who: string, action: ConsoleAction['action'], run: LiveRun): void {
    const entry: ConsoleAction = {
      at: new Date().toISOString(),
      who,
      action,
      run: run.id,
      device: run.device,
      request: { ...run.request },
    };
    appendFileSync(join(this.dir, AUDIT_FILE), `${JSON.stringify(entry)}\n`);
    const location = this.ledger;
    if (!location) return;
    this.pending = this.pending.then(async () => {
      try {
        const { openLedger } = await import('../src/ledger/index.ts');
        const store = await openLedger(location);
        try {
          await store.recordAction(entry);
        } finally {
          await store.close();
        }
      } catch (error) {
        this.say(
          `ledger: the console's ${action} of ${run.id} NOT recorded (${(error as Error).message.split('\n')[0]}); it is in ${AUDIT_FILE}`,
        );
      }
    });
  }

  /** Waits for the ledger writes under way (tests, and a console shutting down). */
  async settled(): Promise<void> {
    await this.pending;
  }
}

/** The live line's facts from the run's own events (the terminal's ProgressEstimate learns the same way). */
class StatusTracker {
  private estimate: ProgressEstimate | undefined;
  private startedAt = Date.now();
  private total = 0;
  private current: { id: string; phase: string; windowMs?: number | undefined; since: number } | undefined;
  private readonly inFlight = new Map<string, number>();

  see(event: RunEvent): ConsoleEvent[] {
    const now = Date.now();
    if (event.type === 'start') {
      this.estimate = new ProgressEstimate(event.plan);
      this.startedAt = now;
      this.total = event.plan.total;
      return [{ type: 'start', total: event.plan.total, suite: event.plan.suite }, this.statusEvent()];
    }
    if (event.type === 'phase') {
      this.estimate?.phase(event.phase, now);
      if (event.phase.phase === 'done') this.inFlight.delete(event.phase.id);
      else if (!this.inFlight.has(event.phase.id)) this.inFlight.set(event.phase.id, now);
      this.current = { id: event.phase.id, phase: event.phase.phase, windowMs: event.phase.windowMs, since: now };
      return [this.statusEvent()];
    }
    if (event.type === 'result') {
      this.estimate?.result(event.result);
      const r = event.result;
      return [{ type: 'result', id: r.id, verdict: r.verdict, level: r.level, message: r.message }, this.statusEvent()];
    }
    return [];
  }

  status(): RunStatus {
    const now = Date.now();
    const spent = new Map([...this.inFlight].map(([id, since]) => [id, now - since]));
    return {
      done: this.estimate?.done ?? 0,
      total: this.total,
      caseId: this.current?.id,
      phase: this.current?.phase,
      windowMs: this.current?.windowMs,
      elapsedMs: now - this.startedAt,
      leftMs: this.estimate?.leftMs(spent),
    };
  }

  private statusEvent(): ConsoleEvent {
    return { type: 'status', status: this.status() };
  }
}

function view(run: LiveRun): RunView {
  const { dir: _dir, events: _events, watchers: _watchers, controller: _controller, done: _done, ...rest } = run;
  return rest;
}

function safeRead(path: string) {
  try {
    return readReport(path);
  } catch {
    return undefined;
  }
}
