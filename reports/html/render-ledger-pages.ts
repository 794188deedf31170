import type { Level, Profile, VerdictKind } from '../../src/results/types.ts';
import {
  BUILDS_HREF,
  type BuildRef,
  buildHref,
  certificateHref,
  clauseHref,
  ledgerRunHref,
  UNKNOWN_FIRMWARE,
} from './ledger-links.ts';
import { escapeHtml as e, renderStaticPage } from './page-shell.ts';

// The ledger's pages in `serve`: each a pure function of the data the ledger's queries return. The types below
// are the part of that data a page draws (the ledger's own types fit them: renderers import only src/results).

/** A case's merged verdict on a build: `flaky` when one device both failed and passed it. */
export type LedgerVerdict = VerdictKind | 'flaky';

/** `certified`, `not-certified` (a MUST fails or is flaky), `incomplete` (evidence missing). */
export type LedgerGate = 'certified' | 'not-certified' | 'incomplete';

/** What a tester reads a build as: the gate, with a failing build told apart from a flaky one. */
export type BuildState = 'certified' | 'fails' | 'flaky' | 'incomplete';

/** A recorded run, as the pages show it. */
export interface LedgerRunView {
  id: string;
  device: { key: string; licenseKey?: string; serial?: string; target: string };
  firmware: string;
  tool: string;
  toolVersion: string;
  specHash: string;
  suite: string;
  profile: Profile;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  exitCode: number;
  origin: 'run' | 'resume' | 'rerun';
  source: string;
  setAside?: { why: string; at: string };
}

/** A case on a build: its merged verdict, the run that decided it, every run's verdict. */
export interface LedgerCaseView {
  id: string;
  level: Level;
  clauses: string[];
  verdict: LedgerVerdict;
  decidedBy?: string;
  message: string;
  waived: boolean;
  history: { runId: string; device: string; startedAt: string; verdict: VerdictKind; waived: boolean }[];
}

/** A clause on a build: the worst merged verdict of its cases. */
export interface LedgerClauseView {
  id: string;
  level: Level;
  verdict: LedgerVerdict | 'uncovered';
  decidedBy?: string;
  cases: string[];
}

/** A build's merged evidence (the ledger's BuildStatus). */
export interface BuildView {
  firmware: string;
  device?: string;
  specHash: string;
  gate: LedgerGate;
  runs: LedgerRunView[];
  excluded: { run: LedgerRunView; why: 'set-aside' | 'other-spec-hash' }[];
  cases: LedgerCaseView[];
  clauses: LedgerClauseView[];
  missing: { cases: string[]; clauses: string[] };
  blocking: string[];
  counts: Record<LedgerVerdict, number>;
}

/** One build of the builds page: firmware × device × spec hash. */
export interface BuildRow {
  ref: Required<BuildRef>;
  status: BuildView;
  /** Every run of the build, set aside ones included. */
  runs: number;
  setAside: number;
  lastRun: string;
}

/** One cell of a clause's strip: the clause's verdict on one build. */
export interface StripCell {
  ref: Required<BuildRef>;
  verdict: LedgerVerdict | 'uncovered' | 'absent';
  decidedBy?: string;
  /** Passed (or warned) on the device's previous build with evidence, fails or is flaky here. */
  regression: boolean;
}

/** A clause's verdicts on one device's builds, in build order. */
export interface ClauseStrip {
  device: string;
  cells: StripCell[];
  /** Builds of the strip left out around the ones shown (the clause's own page shows them all). */
  hidden?: number;
}

/** Where the pages' data came from, and what to say about it. */
export interface LedgerSource {
  /** The ledger's location (a file, or a PostgreSQL URL without its password). */
  location: string;
  notice?: string;
}

const STATE_WORD: Record<BuildState, string> = {
  certified: 'CERTIFIED',
  fails: 'FAILS',
  flaky: 'FLAKY',
  incomplete: 'INCOMPLETE',
};
const STATE_CLASS: Record<BuildState, string> = {
  certified: 'gate-pass',
  fails: 'gate-fail',
  flaky: 'gate-fail',
  incomplete: 'gate-incomplete',
};
const VERDICT_WORD: Record<StripCell['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  'not-applicable': 'N/A',
  'could-not-test': 'COULD NOT TEST',
  flaky: 'FLAKY',
  uncovered: 'UNCOVERED',
  absent: 'NOT IN SPEC',
};
const COUNT_ORDER: LedgerVerdict[] = ['pass', 'fail', 'flaky', 'warn', 'not-applicable', 'could-not-test'];

/** The gate in a tester's words: a not-certified build fails, or is only flaky when no case fails outright. */
export function buildState(status: Pick<BuildView, 'gate' | 'blocking' | 'cases'>): BuildState {
  if (status.gate === 'certified') return 'certified';
  if (status.gate === 'incomplete') return 'incomplete';
  const blocking = new Set(status.blocking);
  return status.cases.some((c) => blocking.has(c.id) && c.verdict === 'fail') ? 'fails' : 'flaky';
}

/** Why a build is incomplete, each reason one line (the same reasons as `ledger status`). */
export function missingLines(status: Pick<BuildView, 'missing' | 'runs'>): string[] {
  return [
    ...(status.runs.some((r) => r.complete && r.origin !== 'rerun')
      ? []
      : ['No run of this build finished its whole plan (a rerun of a few cases completes nothing alone).']),
    ...(status.missing.cases.length
      ? [`Cases with no evidence (could not be tested in any run): ${status.missing.cases.join(', ')}`]
      : []),
    ...(status.missing.clauses.length ? [`MUST clauses no case covers: ${status.missing.clauses.join(', ')}`] : []),
  ];
}

const firmwareText = (firmware: string) => (firmware === '' ? UNKNOWN_FIRMWARE : firmware);
const shortId = (id: string) => id.slice(0, 8);
const time = (iso: string) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '—');

function stateBadge(state: BuildState): string {
  return `<span class="badge gate-badge ${STATE_CLASS[state]} build-state" data-state="${state}">${STATE_WORD[state]}</span>`;
}

function verdictBadge(verdict: StripCell['verdict'], extra = ''): string {
  const cls = verdict === 'flaky' ? 'v-fail' : verdict === 'absent' ? 'v-not-applicable' : `v-${verdict}`;
  return `<span class="badge ${cls} verdict${extra}" data-verdict="${verdict}">${VERDICT_WORD[verdict]}</span>`;
}

function runLink(runId: string | undefined, caseId?: string): string {
  if (!runId) return '<span class="muted">—</span>';
  return `<a class="run-link" href="${e(ledgerRunHref(runId, caseId))}"><code>${e(shortId(runId))}</code></a>`;
}

function topbar(title: string, nav: { href: string; text: string }[]): string {
  const links = nav.map((n) => `<a class="button-link" href="${e(n.href)}">${e(n.text)}</a>`).join('');
  return `<header class="topbar"><div class="topbar-inner"><div class="topbar-title"><span class="topbar-app">sophon-conformance · results ledger</span><h1 class="topbar-h1">${e(title)}</h1></div><nav class="topbar-nav">${links}</nav></div></header>`;
}

function footer(source: LedgerSource): string {
  const notice = source.notice ? `<p class="ledger-notice">${e(source.notice)}</p>` : '';
  return `<footer class="page-footer">${notice}Ledger: <code>${e(source.location)}</code> · read-only view</footer>`;
}

function page(title: string, nav: { href: string; text: string }[], main: string, source: LedgerSource): string {
  return renderStaticPage({
    title,
    style: 'ledger.css',
    body: `${topbar(title, nav)}\n<main class="page">${main}</main>\n${footer(source)}`,
  });
}

const NAV_RUNS = { href: '/', text: 'All runs' };
const NAV_BUILDS = { href: BUILDS_HREF, text: 'All builds' };

function counts(c: Record<LedgerVerdict, number>): string {
  return COUNT_ORDER.map(
    (v) =>
      `<span class="ledger-count${c[v] ? '' : ' count-zero'}" data-verdict="${v}" title="${VERDICT_WORD[v]}">${VERDICT_WORD[v]} <b>${c[v]}</b></span>`,
  ).join(' ');
}

/** `/builds`: every build (firmware × device × spec hash) with its state, counts and last run, oldest first. */
export function renderBuildsPage(input: { source: LedgerSource; builds: BuildRow[] }): string {
  const rows = input.builds
    .map((b) => {
      const state = buildState(b.status);
      return `<tr class="build-row" data-firmware="${e(b.ref.firmware)}" data-device="${e(b.ref.device)}" data-state="${state}">
<th><a class="build-link" href="${e(buildHref(b.ref))}">${e(firmwareText(b.ref.firmware))}</a></th>
<td><code>${e(b.ref.device)}</code></td>
<td><code title="${e(b.ref.specHash)}">${e(b.ref.specHash.slice(0, 12))}</code></td>
<td>${stateBadge(state)}${state === 'certified' ? ` <a class="small cert-link" href="${e(certificateHref(b.ref))}">certificate</a>` : ''}</td>
<td class="build-counts">${counts(b.status.counts)}</td>
<td class="run-total">${b.runs}${b.setAside ? ` <span class="muted">(${b.setAside} set aside)</span>` : ''}</td>
<td>${e(time(b.lastRun))}</td>
</tr>`;
    })
    .join('\n');
  const table = input.builds.length
    ? `<div class="table-scroll"><table class="table builds"><thead><tr><th>Firmware</th><th>Device</th><th>Spec hash</th><th>Status</th><th>Cases</th><th>Runs</th><th>Last run</th></tr></thead><tbody>
${rows}
</tbody></table></div>`
    : '<p class="muted">The ledger holds no run yet: every <code>run</code> records itself into it.</p>';
  const main = `<section class="card" aria-labelledby="builds-title"><h2 id="builds-title">Firmware builds</h2>
<p class="muted small">A build is a firmware on one device under one spec hash. Its runs merge case by case: a could-not-test is no evidence, a failure is never hidden by a later pass (the case is flaky) unless its run is set aside.</p>
${table}</section>`;
  return page('Firmware builds', [NAV_RUNS], main, input.source);
}

/** The builds page when there is no ledger yet (serve never creates one). */
export function renderNoLedgerPage(input: { source: LedgerSource; why: string }): string {
  const main = `<section class="card notice"><h2>No results ledger</h2><p class="no-ledger">${e(input.why)}</p><p class="muted">Every <code>run</code> records itself into the ledger; <code>sophon-conformance ledger import reports/out</code> records earlier runs.</p></section>`;
  return page('Firmware builds', [NAV_RUNS], main, input.source);
}

function buildTitle(ref: BuildRef): string {
  return `Firmware ${firmwareText(ref.firmware)}${ref.device ? ` on ${ref.device}` : ''}`;
}

function stripHtml(strip: ClauseStrip, current?: BuildRef): string {
  return `<ol class="strip" data-device="${e(strip.device)}">${strip.cells
    .map((cell) => {
      const here =
        current && cell.ref.firmware === current.firmware && cell.ref.specHash === current.specHash ? ' current' : '';
      const label = `${firmwareText(cell.ref.firmware)}: ${VERDICT_WORD[cell.verdict]}${cell.regression ? ' (regression)' : ''}`;
      return `<li class="strip-cell${here}${cell.regression ? ' regression' : ''}" data-firmware="${e(cell.ref.firmware)}" data-verdict="${cell.verdict}"><a href="${e(buildHref(cell.ref))}" title="${e(label)}"><span class="strip-fw">${e(firmwareText(cell.ref.firmware))}</span><span class="strip-v">${cell.regression ? '▼ ' : ''}${VERDICT_WORD[cell.verdict]}</span></a></li>`;
    })
    .join('')}</ol>`;
}

/**
 * `/builds/<build>`: the build's gate, what is missing, each clause (and its cases) with the verdict the rule
 * gives and the run that gave it, its strip across the device's builds, the flaky cases run by run, the runs
 * merged and those left out with why.
 */
export function renderBuildPage(input: {
  source: LedgerSource;
  ref: BuildRef;
  status: BuildView;
  /** Each clause's strip across the builds of the build's device (absent when the build spans devices). */
  strips?: Record<string, ClauseStrip>;
  /** The build's other spec hashes or devices, when the page shows one of several. */
  others?: Required<BuildRef>[];
}): string {
  const { status, ref } = input;
  const state = buildState(status);
  const byCase = new Map(status.cases.map((c) => [c.id, c]));
  const ref2: BuildRef = { ...ref, specHash: status.specHash };
  const missing = status.gate === 'incomplete' ? missingLines(status) : [];
  const blocking = status.blocking.length
    ? `<p class="blocking">Blocking (MUST cases that fail or are flaky): ${status.blocking.map((id) => `<code>${e(id)}</code>`).join(', ')}</p>`
    : '';
  const certificate =
    state === 'certified'
      ? `<a class="button cert-link" href="${e(certificateHref(ref2))}">Printable certificate</a>`
      : `<a class="small cert-link" href="${e(certificateHref(ref2))}">Why there is no certificate</a>`;
  const gate = `<section class="card build-gate" aria-labelledby="gate-title"><div class="section-head"><h2 id="gate-title">${stateBadge(state)} ${e(buildTitle(ref))}</h2>${certificate}</div>
<p class="muted small">Spec hash <code>${e(status.specHash)}</code> · ${status.runs.length} run(s) merged${status.excluded.length ? `, ${status.excluded.length} left out` : ''}</p>
<p class="build-counts">${counts(status.counts)}</p>${blocking}
${missing.length ? `<div class="missing"><h3>What is missing</h3><ul>${missing.map((m) => `<li>${e(m)}</li>`).join('')}</ul></div>` : ''}
${input.others?.length ? `<p class="small others">Also in the ledger: ${input.others.map((o) => `<a href="${e(buildHref(o))}">${e(`${o.device} · ${o.specHash.slice(0, 12)}`)}</a>`).join(', ')}</p>` : ''}
</section>`;

  const clauseRows = status.clauses
    .map((cl) => {
      const caseItems = cl.cases
        .map((id) => {
          const c = byCase.get(id);
          if (!c) return '';
          return `<li class="clause-case" data-case="${e(id)}">${verdictBadge(c.verdict)}${c.waived ? ' <span class="tag">waived</span>' : ''} <code>${e(id)}</code> <span class="level">${c.level}</span> ${runLink(c.decidedBy, id)}${c.message && c.verdict !== 'pass' ? `<div class="small muted case-message">${e(c.message)}</div>` : ''}</li>`;
        })
        .join('');
      const strip = input.strips?.[cl.id];
      return `<tr class="ledger-clause" data-clause="${e(cl.id)}" data-verdict="${cl.verdict}">
<th><a href="${e(clauseHref(cl.id, ref.device))}">${e(cl.id)}</a></th>
<td><span class="level">${cl.level}</span></td>
<td>${verdictBadge(cl.verdict)}</td>
<td class="decided-by">${runLink(cl.decidedBy, worstCase(cl, byCase))}</td>
<td>${caseItems ? `<ul class="clause-cases">${caseItems}</ul>` : '<span class="muted">no case covers it</span>'}</td>
${input.strips ? `<td class="strip-col">${strip ? stripHtml(strip, ref2) : ''}${strip?.hidden ? `<a class="small strip-more" href="${e(clauseHref(cl.id, ref.device))}">${strip.hidden} more build(s): the whole history</a>` : ''}</td>` : ''}
</tr>`;
    })
    .join('\n');
  const matrix = `<section class="card" aria-labelledby="matrix-title"><h2 id="matrix-title">Clauses</h2>
<p class="muted small">Each clause with the verdict the rule gives and the run that gave it; a run id opens that run's report at the case.${input.strips ? ' The strip shows the clause on each build of this device, oldest first; ▼ marks a regression.' : ''}</p>
<div class="table-scroll"><table class="table clause-matrix"><thead><tr><th>Clause</th><th>Level</th><th>Verdict</th><th>Decided by</th><th>Cases</th>${input.strips ? '<th>Across builds</th>' : ''}</tr></thead><tbody>
${clauseRows}
</tbody></table></div></section>`;

  const flakyCases = status.cases.filter((c) => c.verdict === 'flaky');
  const flaky = flakyCases.length
    ? `<section class="card flaky" aria-labelledby="flaky-title"><h2 id="flaky-title">Flaky cases</h2>
<p class="muted small">One device both failed and passed these on this build. Investigate; fix the firmware (a new build) or, when the failure was the lab's, set the failing run aside with why.</p>
${flakyCases
  .map(
    (c) =>
      `<div class="flaky-case" data-case="${e(c.id)}"><h3><code>${e(c.id)}</code> <span class="level">${c.level}</span></h3><table class="table"><thead><tr><th>Run</th><th>Device</th><th>Started</th><th>Verdict</th></tr></thead><tbody>${c.history
        .map(
          (h) =>
            `<tr class="flaky-run" data-run="${e(h.runId)}"><td>${runLink(h.runId, c.id)}</td><td><code>${e(h.device)}</code></td><td>${e(time(h.startedAt))}</td><td>${verdictBadge(h.verdict)}${h.waived ? ' <span class="tag">waived</span>' : ''}</td></tr>`,
        )
        .join('')}</tbody></table></div>`,
  )
  .join('\n')}</section>`
    : '';

  const runRow = (r: LedgerRunView, note: string) =>
    `<tr class="run-row" data-run="${e(r.id)}"><td>${runLink(r.id)}</td><td>${e(r.origin)}</td><td><code>${e(r.device.key)}</code></td><td>${e(time(r.startedAt))}</td><td>exit ${r.exitCode}${r.complete ? '' : ' <span class="muted">(interrupted)</span>'}</td><td>${note}</td></tr>`;
  const excludedRows = status.excluded
    .map(({ run, why }) =>
      runRow(
        run,
        why === 'set-aside'
          ? `<span class="set-aside">Set aside ${e(time(run.setAside?.at ?? ''))}: <q class="why">${e(run.setAside?.why ?? '')}</q></span>`
          : `<span class="muted">other spec hash <code>${e(run.specHash.slice(0, 12))}</code></span>`,
      ),
    )
    .join('');
  const runs = `<section class="card" aria-labelledby="runs-title"><h2 id="runs-title">Runs</h2>
<div class="table-scroll"><table class="table ledger-runs"><thead><tr><th>Run</th><th>Origin</th><th>Device</th><th>Started</th><th>Result</th><th>Note</th></tr></thead><tbody>
${status.runs.map((r) => runRow(r, '<span class="muted">merged</span>')).join('')}${excludedRows}
</tbody></table></div></section>`;

  return page(buildTitle(ref), [NAV_RUNS, NAV_BUILDS], `${gate}\n${flaky}\n${matrix}\n${runs}`, input.source);
}

// The case whose verdict the clause shows, so the run link opens the report at it.
function worstCase(cl: LedgerClauseView, byCase: Map<string, LedgerCaseView>): string | undefined {
  return cl.cases.find((id) => byCase.get(id)?.verdict === cl.verdict && byCase.get(id)?.decidedBy === cl.decidedBy);
}

/** `/clauses/<id>`: the clause's verdict on each build, a strip per device, regressions marked. */
export function renderClausePage(input: {
  source: LedgerSource;
  clause: string;
  level?: Level;
  strips: ClauseStrip[];
}): string {
  const regressions = input.strips.flatMap((s) =>
    s.cells.filter((c) => c.regression).map((c) => `${firmwareText(c.ref.firmware)} on ${s.device}`),
  );
  const body = input.strips.length
    ? input.strips
        .map(
          (s) =>
            `<div class="clause-history" data-device="${e(s.device)}"><h3>Device <code>${e(s.device)}</code></h3>${stripHtml(s)}</div>`,
        )
        .join('\n')
    : '<p class="muted">No build in the ledger has this clause.</p>';
  const main = `<section class="card" aria-labelledby="history-title"><h2 id="history-title">Clause ${e(input.clause)}${input.level ? ` <span class="level">${input.level}</span>` : ''} across builds</h2>
<p class="muted small">Each build of each device, oldest first, with the verdict the ledger's rule gives the clause there. ▼ marks a regression: it passed on the device's previous build and fails or is flaky on this one.</p>
${regressions.length ? `<p class="regressions">Regressions: ${regressions.map((r) => `<b>${e(r)}</b>`).join(', ')}</p>` : ''}
${body}</section>`;
  return page(`Clause ${input.clause}`, [NAV_RUNS, NAV_BUILDS], main, input.source);
}

/** What a certificate states beyond the build's status. */
export interface CertificateFacts {
  tool: string;
  toolVersions: string[];
  suites: string[];
  profiles: Profile[];
  /** When the last run it rests on finished. */
  date: string;
  /** The bundle each run came from, with its Ed25519 signature (base64) when it was signed. */
  bundles: { runId: string; path: string; signature?: string }[];
}

/**
 * `/builds/<build>/certificate`: a printable statement that a complete, passing build was certified, and on
 * which runs; any other build gets a page saying why not.
 */
export function renderCertificatePage(input: {
  source: LedgerSource;
  ref: BuildRef;
  status: BuildView;
  facts: CertificateFacts;
}): string {
  const { status, ref, facts } = input;
  const state = buildState(status);
  const back = { href: buildHref({ ...ref, specHash: status.specHash }), text: 'The build' };
  const devices = [...new Map(status.runs.map((r) => [r.device.key, r.device])).values()];
  if (state !== 'certified' || devices.length !== 1) {
    const reasons =
      devices.length > 1
        ? [`The runs of this build come from ${devices.length} devices: a certificate is for one device (pick one).`]
        : state === 'incomplete'
          ? missingLines(status)
          : [
              `The build ${state === 'flaky' ? 'is flaky' : 'fails'}: MUST cases that fail or are flaky: ${status.blocking.join(', ')}.`,
            ];
    const main = `<section class="card notice no-certificate"><h2>${stateBadge(state)} No certificate for ${e(buildTitle(ref))}</h2>
<p>A certificate is issued only for a complete build of one device whose every MUST case passes.</p>
<ul class="why-not">${reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul></section>`;
    return page(`No certificate: ${buildTitle(ref)}`, [NAV_BUILDS, back], main, input.source);
  }
  const device = devices[0] as LedgerRunView['device'];
  const row = (label: string, value: string, cls: string) =>
    `<tr class="${cls}"><th scope="row">${label}</th><td>${value}</td></tr>`;
  const c = status.counts;
  const runs = status.runs
    .map(
      (r) =>
        `<tr data-run="${e(r.id)}"><td><code>${e(r.id)}</code></td><td>${e(r.origin)}</td><td>${e(time(r.startedAt))}</td><td>${e(time(r.finishedAt))}</td><td>exit ${r.exitCode}</td></tr>`,
    )
    .join('');
  const bundles = facts.bundles.length
    ? facts.bundles
        .map(
          (b) =>
            `<p class="bundle"><span>Run <code>${e(shortId(b.runId))}</code>, bundle <code>${e(b.path)}</code>:</span> ${
              b.signature
                ? `Ed25519 signature over MANIFEST.sha256 <code class="signature">${e(b.signature)}</code> <span class="muted">(check: sophon-conformance verify BUNDLE --pubkey KEY)</span>`
                : '<span class="muted">unsigned</span>'
            }</p>`,
        )
        .join('')
    : '<p class="muted">None: the runs were recorded from their report folders, not from a signed bundle.</p>';
  const main = `<article class="certificate">
<header class="cert-head"><p class="cert-kicker">sophon-conformance</p><h2 class="cert-title">Certificate of conformance</h2>
<p class="cert-lead">The firmware below passed every MUST case of the suite on this device, with complete evidence in the results ledger.</p></header>
<section class="cert-section"><h3>Device and firmware</h3><table class="cert-facts">
${row('Firmware', `<b>${e(firmwareText(status.firmware))}</b>`, 'cert-firmware')}
${row('License key', device.licenseKey ? `<code>${e(device.licenseKey)}</code>` : '<span class="muted">not known</span>', 'cert-license')}
${row('Serial', device.serial ? `<code>${e(device.serial)}</code>` : '<span class="muted">not known</span>', 'cert-serial')}
${row('Target', `<code>${e(device.target)}</code>`, 'cert-target')}
</table></section>
<section class="cert-section"><h3>Test basis</h3><table class="cert-facts">
${row('Tool', `${e(facts.tool)} ${facts.toolVersions.map(e).join(', ')}`, 'cert-tool')}
${row('Spec hash', `<code>${e(status.specHash)}</code>`, 'cert-spec')}
${row('Suite', e(facts.suites.join(', ')), 'cert-suite')}
${row('Profile', e(facts.profiles.join(', ')), 'cert-profile')}
${row('Date', e(time(facts.date)), 'cert-date')}
${row('Cases', `${c.pass} pass, ${c.warn} warn, ${c['not-applicable']} not applicable${c.fail + c.flaky ? `, ${c.fail + c.flaky} failing under a waiver` : ''}`, 'cert-counts')}
${row('Clauses', `${status.clauses.filter((x) => x.verdict !== 'uncovered').length} covered, ${status.clauses.filter((x) => x.level === 'MUST').length} MUST`, 'cert-clauses')}
</table></section>
<section class="cert-section cert-runs"><h3>Runs it rests on</h3><table class="table"><thead><tr><th>Run id</th><th>Origin</th><th>Started</th><th>Finished</th><th>Result</th></tr></thead><tbody>${runs}</tbody></table>
${status.excluded.length ? `<p class="small">Left out: ${status.excluded.map((x) => `<code>${e(shortId(x.run.id))}</code> (${x.why === 'set-aside' ? `set aside: ${e(x.run.setAside?.why ?? '')}` : 'other spec hash'})`).join('; ')}</p>` : ''}
</section>
<section class="cert-section cert-bundles"><h3>Bundle signature</h3>${bundles}</section>
<footer class="cert-foot small muted">Issued from the results ledger ${e(input.source.location)}. Each run's full report is kept in the ledger under its id.</footer>
</article>`;
  return page(`Certificate: ${buildTitle({ ...ref, device: device.key })}`, [NAV_BUILDS, back], main, input.source);
}
