/** Requirement strength of a case or a check (RFC 2119 words as the design uses them). */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** Which wire a case talks over. */
export type Transport = 'http' | 'amqp';

/** Strict applies the clauses to the letter; lenient accepts the documents' own inconsistencies as warnings. */
export type Profile = 'strict' | 'lenient';

/**
 * How one check came out: `pass`; `fail`; `lenient` (a deviation only the lenient profile accepts,
 * folded to a warning); `unobservable` (the checker could not see the outcome: never a pass).
 */
export type CheckResult = 'pass' | 'fail' | 'lenient' | 'unobservable';

/** The outcome of one check that ran: what was expected, what was received, and whether it held. */
export interface CheckOutcome {
  /** Stable name of the check, e.g. `status`, `error.code`, `state.permissions`, `reboot`. */
  check: string;
  /** The level this check is judged at (never stronger than its case). */
  level: Level;
  result: CheckResult;
  expected: string;
  received: string;
}

/** Phases in which a case can fail to produce an observation. */
export type CouldNotTestPhase = 'seed' | 'transport' | 'timeout' | 'observe';

/** A case's verdict: a closed union; a verdict is earned by checks that ran. */
export type Verdict =
  | { kind: 'pass'; checks: CheckOutcome[] }
  | { kind: 'fail'; failures: CheckOutcome[]; checks: CheckOutcome[] }
  | { kind: 'warn'; failures: CheckOutcome[]; checks: CheckOutcome[] }
  | { kind: 'not-applicable'; reason: string }
  | { kind: 'could-not-test'; phase: CouldNotTestPhase; message: string; checks: CheckOutcome[] };

export type VerdictKind = Verdict['kind'];

/** Bytes on the wire, kept as text when they are valid UTF-8 and as base64 otherwise. */
export interface WireBody {
  text?: string;
  base64?: string;
  bytes: number;
  /** Set when the body was longer than the evidence limit and cut. */
  truncated?: boolean;
}

export interface HttpRequestEvidence {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: WireBody;
}

export interface HttpResponseEvidence {
  status: number;
  headers: Record<string, string>;
  body: WireBody;
}

/** One HTTP request/response pair as exchanged, with timings in ms relative to the case start. */
export interface HttpExchangeEvidence {
  request: HttpRequestEvidence;
  response?: HttpResponseEvidence;
  /** Transport failure instead of (or in the middle of) a response. */
  error?: string;
  sentAtMs: number;
  headersAtMs?: number;
  completeAtMs?: number;
}

/** What the reboot watcher saw after the case's request, in ms relative to the response being complete. */
export interface RebootTimeline {
  /** Windows in force for this case. */
  downWithinMs: number;
  upWithinMs: number;
  /** How long the watcher looked for the device going down. */
  watchedMs: number;
  downAtMs?: number;
  upAtMs?: number;
  readyAtMs?: number;
  /** The device's boot identity before and after, where it exposes one (uptime). */
  uptimeBefore?: string;
  uptimeAfter?: string;
  /** What the two uptimes say about the host (HTTP-13: the host reboots, not only the API), where both were read. */
  identity?: BootIdentity;
  /** Probe interval used, so a reader knows the timeline's resolution. */
  probeIntervalMs: number;
  outcome: 'stayed-up' | 'rebooted' | 'not-back' | 'not-ready' | 'rebooted-unseen';
}

/**
 * The boot identity's reading: the host's clock started again; it kept counting (it reads longer than the time
 * since the device was last seen up, so no host rebooted); or the readings cannot tell.
 */
export interface BootIdentity {
  verdict: 'reset' | 'kept-counting' | 'indeterminate';
  /** Both readings, how far apart they were taken, and what they show, in one line. */
  reason: string;
}

export type StateCategory = 'identities' | 'permissions' | 'mediaDevices' | 'events' | 'settings';

/** The device state as the state adapter read it. */
export interface StateSnapshot {
  identities: { count: number; faces: number; ids: string[] };
  permissions: { count: number; ids: string[] };
  mediaDevices: { count: number; ids: string[] };
  /**
   * Recognition records: `count` is the device's total; `ids` the `event_id`s listed (paging getevents, up to a
   * bound), complete only when `idsComplete` is true. Absent ids (an adapter that does not list them): counts only.
   */
  events: { count: number; ids?: string[]; idsComplete?: boolean };
  settings: Record<string, unknown>;
}

export interface StateEvidence {
  /** What was seeded for this case, category by category. */
  seeded?: StateCategory[];
  /** Categories the adapter could not seed and that were empty (their `emptied` checks cannot be earned). */
  unseedable?: StateCategory[];
  /** Why the adapter could not seed a category, and what the tester can do about it. */
  unseedableWhy?: Partial<Record<StateCategory, string>>;
  before?: StateSnapshot;
  after?: StateSnapshot;
  /** A read made between the response and the reboot, when the device still answered (synchronous wipe). */
  afterResponse?: StateSnapshot;
}

/** A message the checker published on the command queue. */
export interface AmqpPublishEvidence {
  queue: string;
  properties: Record<string, unknown>;
  body: WireBody;
  atMs: number;
  /** `before` messages (poison, setup) are recorded but not judged. */
  role: 'before' | 'command' | 'first-of-duplicate';
}

/** A reply as it arrived: on the up queue or as a callback POST to notify_path. */
export interface ReplyEvidence {
  channel: 'up_queue' | 'notify_path';
  atMs: number;
  body: WireBody;
  /** AMQP properties (up queue) or HTTP method, path and headers (callback). */
  meta: Record<string, unknown>;
  /** How the reply was tied to the command: message_id, correlation_id, callback path, or timing. */
  matchedBy?: 'message_id' | 'correlation_id' | 'callback-path' | 'timing';
  /** Which published message it answers, when matched. */
  answers?: 'before' | 'command' | 'first-of-duplicate';
}

export interface AmqpEvidence {
  broker: string;
  commandQueue: string;
  upQueue: string;
  published: AmqpPublishEvidence[];
  replies: ReplyEvidence[];
  /**
   * How long the case waited for the command queue to have a consumer before publishing (ms), when it had none
   * (the device's MQ client still connecting after a reboot); absent when a consumer was there at once.
   */
  consumerWaitMs?: number;
}

/** Everything a case observed: enough to understand a failure without re-running it. */
export interface Evidence {
  http?: HttpExchangeEvidence[];
  amqp?: AmqpEvidence;
  reboot?: RebootTimeline;
  state?: StateEvidence;
  /** Which alternative outcome (`oneOf`) the device's behaviour matched. */
  outcome?: string;
  /** A command line that repeats the request by hand. */
  reproduce?: string;
  notes?: string[];
}

/** One case's result, as written to report.json. */
export interface CaseResult {
  id: string;
  title: string;
  level: Level;
  clauses: string[];
  transport: Transport;
  tags: string[];
  /** Where the case is written: `specs/http/wipedata.yaml:41:5`. */
  source: string;
  verdict: VerdictKind;
  /** One line a tester reads first: why this verdict. */
  message: string;
  /** Every check that ran, passed or not. */
  checks: CheckOutcome[];
  startedAt: string;
  durationMs: number;
  evidence: Evidence;
  /** Set when a waiver (--waivers) names this case; see WaiverNote. */
  waived?: WaiverNote;
  /** With --repeat N: the verdict of each repetition, in order. */
  repeats?: VerdictKind[];
  /** True when the repetitions' verdicts differ; the worst of them is the case's verdict. */
  flaky?: boolean;
}

export interface Summary {
  total: number;
  pass: number;
  fail: number;
  warn: number;
  notApplicable: number;
  couldNotTest: number;
  /** Failures covered by a waiver in force: still `fail`, but not counted by the gate. */
  waived?: number;
  /** Failures whose waiver has expired: they count as plain failures. */
  waiversExpired?: number;
  /** Waived cases that no longer fail (the waiver can be removed). */
  waiversNoLongerNeeded?: number;
  /** Cases whose verdicts differed across --repeat runs. */
  flaky?: number;
}

/** A clause with the cases that cite it and the worst verdict among them. */
export interface ClauseCoverage {
  id: string;
  level: Level;
  text: string;
  /** Where the clause comes from: `000_2427abba6c145ae1.txt § 调用URL` (file § section). */
  source: string;
  /** The title of the cited document (its heading line); absent in reports made before titles were kept. */
  documentTitle?: string;
  cases: string[];
  /** `uncovered` when no selected case cites the clause. */
  verdict: VerdictKind | 'uncovered';
}

/** The run as report.json holds it (design §7); every other report is a view of this. */
export interface Report {
  tool: string;
  version: string;
  target: string;
  profile: Profile;
  suite: string;
  startedAt: string;
  finishedAt: string;
  /** False when the run was interrupted; the results are then partial. */
  complete: boolean;
  /** SHA-256 of the spec files and suites the run used. */
  specHash: string;
  device?: { firmware?: Record<string, unknown>; licenseKey?: string };
  exitCode: number;
  summary: Summary;
  clauses: ClauseCoverage[];
  results: CaseResult[];
  /** What the target declared it supports (--capabilities); absent in reports made before it existed. */
  capabilities?: CapabilityStatement;
  /** The waivers file the run used, each entry with how it applied. */
  waivers?: WaiverStatement;
  /** How many times each case was run (--repeat), when more than once. */
  repeat?: number;
  /** The management platform's login endpoint the run played (--platform-login), with every login it answered. */
  platform?: PlatformEvidence;
  /** Where the run came from when it is not a plain one: a resumed run, or a rerun of an earlier run's failures. */
  origin?: RunOrigin;
}

/** How a run continues or repeats another (run --resume DIR, run --rerun-failed REPORT). */
export interface RunOrigin {
  /** --resume: the results of this many cases were kept from the interrupted run (startedAt is its own). */
  resumed?: { kept: number; resumedAt: string };
  /** --rerun-failed: the report whose fail and could-not-test cases this run ran again. */
  rerunOf?: { report: string; startedAt: string; target: string; cases: number };
}

/** The login endpoint of the management platform, as the run played it (sophon-api.md: MQ channel conventions). */
export interface PlatformEvidence {
  /** The URL to configure on the device as MQ_LOGIN_URL. */
  loginUrl: string;
  logins: PlatformLoginRecord[];
}

/** One call a device made to the login endpoint, and what it was handed (the broker password as `***`). */
export interface PlatformLoginRecord {
  /** ISO time the request arrived. */
  at: string;
  /** The address it came from. */
  from: string;
  method: string;
  /** Path and query as requested (secret-named query values as `***`). */
  url: string;
  /** The query parameters, secret-named ones as `***`. */
  query: Record<string, unknown>;
  /** The page's request parameters (mq_license_key, device_sn, in the query of a GET) that came, and that did not. */
  documented: { present: string[]; missing: string[] };
  /** Request headers, secret-named ones as `***`. */
  headers: Record<string, unknown>;
  /** The request body as text (first 64 KiB), secret-named fields' values as `***`. */
  body: string;
  /** The parameters read from the query and the body (query first, the body wins), secret-named ones as `***`. */
  params: Record<string, unknown>;
  /** The mq_license_key seen, if any. */
  licenseKey?: string;
  /** The serial number seen (serial_number, sn, device_sn, …), if any. */
  serialNumber?: string;
  /** Whether the device was handed broker settings (a 200 with mq_login_status 0). */
  accepted: boolean;
  answer: { status: number; body: Record<string, unknown> };
  /** Anything worth knowing about the exchange (e.g. a loopback broker host handed to a remote device). */
  notes?: string[];
}

/** How a waiver applied to one case: `waived` (a failure, waiver in force), `expired` (a failure, waiver past its date: a plain fail), `no-longer-needed` (the case passes now), `unused` (the case did not fail or could not run). */
export interface WaiverNote {
  reason: string;
  /** Last day (YYYY-MM-DD) the waiver is in force. */
  expires: string;
  /** The waiver's case id or glob. */
  case: string;
  status: 'waived' | 'expired' | 'no-longer-needed' | 'unused';
}

/** The waivers file of a run, entry by entry. */
export interface WaiverStatement {
  file: string;
  entries: { case: string; reason: string; expires: string; expired: boolean; cases: string[] }[];
}

/** The capability manifest of a run: what the target declared, or that everything was assumed. */
export interface CapabilityStatement {
  /** `declared`: a manifest was given; `assumed`: none was, so every capability was assumed (the default). */
  mode: 'declared' | 'assumed';
  /** The manifest file, when one was given. */
  manifest?: string;
  /** Every known capability and whether the target has it. */
  declared: Record<string, boolean>;
  /** Cases that were not-applicable because the target lacks a capability they require. */
  notApplicable: string[];
}
