// @ts-check: tsconfig.browser.json checks this file against the report's TypeScript types (npm run typecheck).
// The run report page: reads the report embedded as <script type="application/json" id="report-data">
// and draws the gate, the clause coverage and every case with its evidence. State that a person may
// want to share (filters, the open case) lives in the URL hash: #verdict=fail&case=http.wipedata.x
(() => {
  const { t, h, svg, verdictBadge, gateOf, formatMs, formatTime, durationBetween, topbar, readData } =
    globalThis.SophonPage;

  const VERDICTS = ['pass', 'fail', 'warn', 'not-applicable', 'could-not-test'];
  const SUMMARY_FIELD = {
    pass: 'pass',
    fail: 'fail',
    warn: 'warn',
    'not-applicable': 'notApplicable',
    'could-not-test': 'couldNotTest',
  };
  const LEVELS = ['MUST', 'SHOULD', 'MAY'];
  const FILTER_KEYS = ['verdict', 'level', 'transport', 'tag', 'q'];
  const HASH_KEYS = [...FILTER_KEYS, 'case'];
  // Evidence keys drawn by a dedicated view; any other key is shown as JSON so nothing is hidden.
  const KNOWN_EVIDENCE = new Set(['http', 'amqp', 'reboot', 'state', 'outcome', 'reproduce', 'notes']);
  /** @type {import('../../src/results/types.ts').StateCategory[]} */
  const STATE_COUNTED = ['identities', 'permissions', 'mediaDevices', 'events'];

  // page-shell.ts always writes <div id="app">.
  const root = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @type {import('../../src/results/types.ts').Report} */
  const report = readData('report-data');
  // The failure groups come computed with the report (src/results/group-failures.ts); a page without them shows none.
  /** @type {import('../../src/results/group-failures.ts').FailureGroups} */
  const groups = readData('report-groups') || { byCause: [], byClause: [] };
  const resultsById = new Map(Array.isArray(report?.results) ? report.results.map((r) => [r.id, r]) : []);

  /** Filters and the open case; always equal to what the URL hash says. */
  let view = emptyView();
  /** Case id → its <details>, rebuilt by every render. */
  let caseNodes = new Map();
  let controls = {};

  function emptyView() {
    return { verdict: '', level: '', transport: '', tag: '', q: '', case: '' };
  }

  // ---- URL hash ---------------------------------------------------------------------------------

  function viewFromHash() {
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const next = emptyView();
    for (const key of HASH_KEYS) next[key] = params.get(key) || '';
    return next;
  }

  function hashOf(v) {
    const params = new URLSearchParams();
    for (const key of HASH_KEYS) if (v[key]) params.set(key, v[key]);
    const text = params.toString();
    return text ? `#${text}` : '';
  }

  function sameView(a, b) {
    return HASH_KEYS.every((key) => a[key] === b[key]);
  }

  /** Records the view in the URL without scrolling or adding a history entry per keystroke. */
  function writeHash() {
    const hash = hashOf(view);
    if (hash === window.location.hash || (!hash && !window.location.hash)) return;
    try {
      window.history.replaceState(null, '', hash || window.location.pathname + window.location.search);
    } catch {
      window.location.hash = hash;
    }
  }

  function caseHref(id) {
    return hashOf({ ...emptyView(), case: id });
  }

  /** Follows a `#case=…` link: shows the case even when the same link was followed before. */
  function followCaseLink(event, id) {
    event.preventDefault();
    const next = { ...emptyView(), case: id };
    try {
      window.history.pushState(null, '', hashOf(next));
    } catch {
      // Some file:// setups refuse history changes; the view still changes.
    }
    applyView(next, { scroll: true, focus: true });
  }

  function caseLink(id, text) {
    return h(
      'a',
      { href: caseHref(id), class: 'case-link', onclick: (event) => followCaseLink(event, id) },
      text || id,
    );
  }

  // ---- Filtering --------------------------------------------------------------------------------

  function matches(result, v) {
    if (v.verdict && result.verdict !== v.verdict) return false;
    if (v.level && result.level !== v.level) return false;
    if (v.transport && result.transport !== v.transport) return false;
    if (v.tag && !(result.tags || []).includes(v.tag)) return false;
    if (v.q) {
      const needle = v.q.toLowerCase();
      const hay = `${result.id}\n${result.title}\n${result.message}`.toLowerCase();
      if (!hay.includes(needle)) return false;
    }
    return true;
  }

  /** Shows the cases the filters select (and always the linked case), and syncs the controls. */
  function applyFilters() {
    let shown = 0;
    for (const result of report.results) {
      const node = caseNodes.get(result.id);
      if (!node) continue;
      const visible = matches(result, view) || result.id === view.case;
      node.hidden = !visible;
      if (visible) shown++;
    }
    if (controls.showing) controls.showing.textContent = t('cases.showing', { shown, total: report.results.length });
    if (controls.noMatch) controls.noMatch.hidden = shown > 0;
    for (const key of FILTER_KEYS) {
      const control = controls[key];
      if (control && control.value !== view[key]) control.value = view[key];
    }
    for (const button of controls.countButtons || []) {
      button.setAttribute('aria-pressed', String(button.dataset.verdict === view.verdict));
    }
  }

  function setFilter(key, value) {
    view = { ...view, [key]: value };
    writeHash();
    applyFilters();
  }

  /** Makes the page show `next`: filters, and the linked case opened and (optionally) scrolled to. */
  function applyView(next, { scroll, focus }) {
    view = next;
    applyFilters();
    if (!view.case) return;
    const node = caseNodes.get(view.case);
    if (!node) return;
    node.open = true;
    if (scroll) {
      window.requestAnimationFrame(() => {
        node.scrollIntoView({ block: 'start' });
        // After a person followed a link, keyboard focus moves to the case they asked for.
        if (focus) node.querySelector('summary')?.focus({ preventScroll: true });
      });
    }
  }

  // ---- Page ---------------------------------------------------------------------------------------

  function render() {
    const openIds = new Set([...caseNodes].filter(([, node]) => node.open).map(([id]) => id));
    // Groups and clauses a person opened stay open when the page is drawn again (a language switch).
    const openKeys = new Set(
      [...root.querySelectorAll('details[data-key][open]')].map(
        (node) => /** @type {HTMLElement} */ (node).dataset.key,
      ),
    );
    const scrollY = window.scrollY;
    caseNodes = new Map();
    controls = {};
    document.title = `${t('app.report')}: ${report.suite} · ${report.target}`;
    root.replaceChildren(
      pageHeader(),
      h(
        'main',
        { class: 'page' },
        gateSection(),
        groupsSection(),
        metaSection(),
        attentionSection(),
        coverageSection(),
        casesSection(),
      ),
      h('footer', { class: 'page-footer', text: t('app.footer', { tool: report.tool, version: report.version }) }),
    );
    for (const id of openIds) {
      const node = caseNodes.get(id);
      if (node) node.open = true;
    }
    for (const node of root.querySelectorAll('details[data-key]')) {
      if (openKeys.has(/** @type {HTMLElement} */ (node).dataset.key)) node.setAttribute('open', '');
    }
    applyFilters();
    window.scrollTo(0, scrollY);
  }

  function pageHeader() {
    const nav = h(
      'nav',
      { class: 'topbar-nav controls', 'aria-label': t('app.report') },
      groups.byCause.length ? jumpButton('groups.title', 'groups') : null,
      jumpButton('attention.title', 'attention'),
      jumpButton('coverage.title', 'coverage'),
      jumpButton('cases.title', 'cases'),
    );
    return topbar(t('app.report'), nav, render, { print: true });
  }

  function jumpButton(labelKey, sectionId) {
    return h('button', {
      type: 'button',
      class: 'button-link',
      text: t(labelKey),
      onclick: () => document.getElementById(sectionId)?.scrollIntoView({ block: 'start' }),
    });
  }

  function problemCases() {
    const order = { fail: 0, 'could-not-test': 1, warn: 2 };
    return report.results
      .filter((r) => r.verdict in order)
      .map((r, index) => ({ r, index }))
      .sort((a, b) => order[a.r.verdict] - order[b.r.verdict] || a.index - b.index)
      .map(({ r }) => r);
  }

  function gateSection() {
    const gate = gateOf(report.exitCode);
    const problems = problemCases();
    const first = problems.find((r) => r.verdict === 'fail') || problems.find((r) => r.verdict === 'could-not-test');
    const uncoveredMust = (report.clauses || []).filter((c) => c.verdict === 'uncovered' && c.level === 'MUST');
    const counts = VERDICTS.map((verdict) => {
      const n = report.summary[SUMMARY_FIELD[verdict]] ?? 0;
      return h(
        'button',
        {
          type: 'button',
          class: `count v-${verdict}${n === 0 ? ' count-zero' : ''}`,
          dataset: { verdict },
          'aria-pressed': 'false',
          onclick: () => {
            setFilter('verdict', view.verdict === verdict ? '' : verdict);
            document.getElementById('cases')?.scrollIntoView({ block: 'start' });
          },
        },
        h('span', { class: 'count-n', text: n }),
        verdictBadge(verdict, 'count-label'),
      );
    });
    const all = h(
      'button',
      {
        type: 'button',
        class: 'count count-all',
        dataset: { verdict: '' },
        'aria-pressed': 'false',
        onclick: () => setFilter('verdict', ''),
      },
      h('span', { class: 'count-n', text: report.summary.total }),
      h('span', { class: 'count-label badge', text: t('gate.total') }),
    );
    controls.countButtons = [...counts, all];
    return h(
      'section',
      { class: `card gate ${gate.cls}`, 'aria-labelledby': 'gate-title' },
      h(
        'div',
        { class: 'gate-verdict' },
        h('h2', { id: 'gate-title', class: 'gate-heading', text: t('gate.title') }),
        h(
          'p',
          { class: 'gate-word' },
          h('span', { class: 'gate-icon', 'aria-hidden': 'true', text: gate.icon }),
          h('span', { class: 'gate-label', text: gate.label }),
        ),
        h('p', { class: 'gate-meaning', text: gate.meaning }),
        report.complete === false
          ? h('p', { class: 'gate-interrupted', role: 'note', text: t('gate.interrupted') })
          : null,
      ),
      h(
        'div',
        { class: 'gate-side' },
        h('div', { class: 'counts', role: 'group', 'aria-label': t('gate.counts') }, counts, all),
        first
          ? h(
              'p',
              { class: 'first-failure' },
              h(
                'a',
                {
                  href: caseHref(first.id),
                  class: 'first-failure-link',
                  onclick: (event) => followCaseLink(event, first.id),
                },
                h('span', {
                  text: first.verdict === 'fail' ? t('gate.firstFailure') : t('gate.firstProblem'),
                }),
                h('code', { text: first.id }),
                h('span', { 'aria-hidden': 'true', text: '→' }),
              ),
            )
          : null,
        uncoveredMust.length
          ? h(
              'p',
              { class: 'gate-uncovered' },
              `${t('gate.uncoveredMust')} `,
              uncoveredMust.map((c, i) => [i ? ', ' : '', h('code', { text: c.id })]),
            )
          : null,
      ),
    );
  }

  function metaSection() {
    const firmware = report.device?.firmware;
    const rows = [
      ['meta.target', h('code', { text: report.target })],
      [
        'meta.firmware',
        firmware && Object.keys(firmware).length
          ? h(
              'span',
              { class: 'kv-inline' },
              Object.entries(firmware).map(([key, value]) =>
                h(
                  'span',
                  { class: 'kv-pair' },
                  h('span', { class: 'kv-key', text: key }),
                  ' ',
                  h('code', { text: plain(value) }),
                ),
              ),
            )
          : h('span', { class: 'muted', text: t('meta.unknown') }),
      ],
      report.device?.licenseKey ? ['meta.licenseKey', h('code', { text: report.device.licenseKey })] : null,
      ['meta.suite', report.suite],
      ['meta.profile', t(`profile.${report.profile}`)],
      ['meta.tool', `${report.tool} ${report.version}`],
      [
        'meta.specHash',
        h('code', { title: report.specHash, text: report.specHash ? report.specHash.slice(0, 12) : '–' }),
      ],
      capabilitiesRow(),
      report.waivers
        ? [
            'meta.waivers',
            h(
              'span',
              { title: report.waivers.file },
              t('meta.waiverCounts', {
                waived: report.summary.waived ?? 0,
                expired: report.summary.waiversExpired ?? 0,
                unneeded: report.summary.waiversNoLongerNeeded ?? 0,
              }),
            ),
          ]
        : null,
      report.repeat
        ? ['meta.repeat', t('meta.repeatCounts', { n: report.repeat, flaky: report.summary.flaky ?? 0 })]
        : null,
      ['meta.startedAt', formatTime(report.startedAt)],
      ['meta.finishedAt', formatTime(report.finishedAt)],
      ['meta.duration', durationBetween(report.startedAt, report.finishedAt)],
    ].filter((row) => row !== null);
    return h(
      'section',
      { class: 'card meta', 'aria-label': t('app.report') },
      h(
        'dl',
        { class: 'meta-grid' },
        rows.map(([key, value]) => h('div', { class: 'meta-item' }, h('dt', { text: t(key) }), h('dd', {}, value))),
      ),
    );
  }

  // Which optional behaviours the target declared (--capabilities), or that all were assumed.
  function capabilitiesRow() {
    const caps = report.capabilities;
    if (!caps) return null;
    if (caps.mode === 'assumed')
      return ['meta.capabilities', h('span', { class: 'muted', text: t('meta.capabilitiesAssumed') })];
    return [
      'meta.capabilities',
      h(
        'span',
        { class: 'kv-inline', title: caps.manifest },
        Object.entries(caps.declared).map(([name, has]) =>
          h('span', { class: 'kv-pair' }, h('code', { text: name }), ' ', has ? '✓' : '✗'),
        ),
      ),
    ];
  }

  // A case's waiver and flakiness, beside its tags.
  /** @param {import('../../src/results/types.ts').CaseResult} r */
  function policyMarks(r) {
    const marks = [];
    const w = r.waived;
    if (w?.status === 'waived')
      marks.push(
        h('span', { class: 'tag tag-waived', title: w.reason, text: t('case.waived', { expires: w.expires }) }),
      );
    if (w?.status === 'expired')
      marks.push(
        h('span', { class: 'tag tag-expired', title: w.reason, text: t('case.waiverExpired', { expires: w.expires }) }),
      );
    if (w?.status === 'no-longer-needed')
      marks.push(h('span', { class: 'tag tag-unneeded', title: w.reason, text: t('case.waiverUnneeded') }));
    if (r.flaky)
      marks.push(h('span', { class: 'tag tag-flaky', title: (r.repeats || []).join(', '), text: t('case.flaky') }));
    return marks;
  }

  // ---- Failures grouped by cause and by clause ----------------------------------------------------

  /** Which grouping is shown; kept across re-renders (a language switch), not shared in the URL. */
  let groupView = 'cause';

  function caseCount(n, one, many) {
    return n === 1 ? t(one) : t(many, { n });
  }

  function groupsSection() {
    if (!groups.byCause.length) return null;
    const problemCount = groups.byCause.reduce((n, g) => n + g.cases.length, 0);
    const lists = {
      cause: h(
        'div',
        { class: 'group-list', id: 'groups-by-cause' },
        groups.byCause.map((g, i) => causeGroup(g, i)),
      ),
      clause: h('div', { class: 'group-list', id: 'groups-by-clause' }, groups.byClause.map(clauseGroup)),
    };
    const buttons = [
      ['cause', t('groups.byCause', { n: groups.byCause.length })],
      ['clause', t('groups.byClause', { n: groups.byClause.length })],
    ].map(([key, text]) =>
      h('button', {
        type: 'button',
        class: 'button group-switch',
        dataset: { view: key },
        'aria-pressed': String(groupView === key),
        'aria-controls': `groups-by-${key}`,
        text,
        onclick: () => {
          groupView = key;
          show();
        },
      }),
    );
    function show() {
      for (const [key, list] of Object.entries(lists)) list.hidden = key !== groupView;
      for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.view === groupView));
    }
    show();
    return h(
      'section',
      { class: 'card groups', id: 'groups', 'aria-labelledby': 'groups-title' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'groups-title', text: t('groups.title') }),
        h('div', { class: 'group-switches controls', role: 'group', 'aria-label': t('groups.view') }, buttons),
      ),
      h('p', {
        class: 'muted groups-lead',
        text: t('groups.lead', {
          cases: problemCount,
          reasons: groups.byCause.length,
          clauses: groups.byClause.length,
        }),
      }),
      lists.cause,
      lists.clause,
    );
  }

  function resultOf(id) {
    return resultsById.get(id);
  }

  /**
   * A group's cases: each with its verdict dot, a link that opens it, and its title.
   * @param {string[]} ids
   */
  function groupCases(ids) {
    return h(
      'ul',
      { class: 'plain-list group-cases' },
      ids.map((id) => {
        const r = resultOf(id);
        return h(
          'li',
          {},
          r ? h('span', { class: `dot v-${r.verdict}`, title: t(`verdict.${r.verdict}`) }) : null,
          caseLink(id),
          r ? h('span', { class: 'group-case-title', text: r.title }) : null,
        );
      }),
    );
  }

  /**
   * One check as the group shares it: name, then expected and received.
   * @param {import('../../src/results/types.ts').CheckOutcome} c
   */
  function sharedCheck(c) {
    return h(
      'span',
      { class: 'shared-check' },
      h('code', { class: 'shared-check-name', text: c.check }),
      ' ',
      h('span', { class: 'muted', text: t('groups.expected') }),
      ' ',
      h('span', { class: 'shared-expected', text: c.expected }),
      h('span', { class: 'muted', text: ` · ${t('groups.received')} ` }),
      h('span', { class: 'shared-received', text: c.received }),
    );
  }

  const MAX_CLOSED_LINES = 3;

  /**
   * @param {import('../../src/results/group-failures.ts').FailureGroup} g
   * @param {number} index
   */
  function causeGroup(g, index) {
    const reason = g.checks.length
      ? g.checks.map((c) =>
          h('span', { class: 'group-reason-line', title: `${c.check}: ${c.expected} → ${c.received}` }, sharedCheck(c)),
        )
      : h('span', { class: 'group-reason-line', title: g.reason, text: g.reason });
    // Closed, a group shows its first three checks (CSS); the rest are counted, and shown when it opens.
    const hidden = g.checks.length - MAX_CLOSED_LINES;
    return h(
      'details',
      { class: `group v-${g.verdict}`, dataset: { key: `cause-${index}`, verdict: g.verdict, cases: g.cases.length } },
      h(
        'summary',
        { class: 'group-row' },
        verdictBadge(g.verdict),
        h('span', { class: 'group-count', text: caseCount(g.cases.length, 'groups.count1', 'groups.count') }),
        h(
          'span',
          { class: 'group-reason' },
          reason,
          hidden > 0 ? h('span', { class: 'group-more muted', text: t('groups.more', { n: hidden }) }) : null,
        ),
        h(
          'span',
          { class: 'group-clauses', title: g.clauses.join(' ') },
          g.waived ? h('span', { class: 'tag tag-waived', text: t('groups.waived') }) : null,
          g.clauses.map((id) => h('span', { class: 'clause-chip', text: id })),
        ),
      ),
      h('div', { class: 'group-body' }, groupCases(g.cases)),
    );
  }

  /** @param {import('../../src/results/group-failures.ts').ClauseFailures} c */
  function clauseGroup(c) {
    const clause = (report.clauses || []).find((x) => x.id === c.clause);
    return h(
      'details',
      {
        class: `group v-${c.verdict}`,
        dataset: { key: `clause-${c.clause}`, clause: c.clause, cases: c.cases.length },
      },
      h(
        'summary',
        { class: 'group-row' },
        verdictBadge(c.verdict),
        h('span', { class: 'group-count', text: t('groups.ofTotal', { n: c.cases.length, total: c.total }) }),
        h(
          'span',
          { class: 'group-reason' },
          h(
            'span',
            { class: 'group-reason-line', title: clause?.text || '' },
            h('code', { class: 'shared-check-name', text: c.clause }),
            ' ',
            h('span', { class: 'level', text: c.level }),
            ' ',
            clause ? h('span', { text: clause.text }) : null,
          ),
        ),
        h('span', { class: 'group-clauses' }),
      ),
      h(
        'div',
        { class: 'group-body' },
        clause ? h('p', { class: 'clause-source' }, sourceView(clause)) : null,
        groupCases(c.cases),
      ),
    );
  }

  /**
   * Where a clause comes from: the document's title first, then its file and section.
   * @param {Pick<import('../../src/results/types.ts').ClauseCoverage, 'source' | 'documentTitle'>} clause
   */
  function sourceView(clause) {
    return [
      clause.documentTitle ? h('span', { class: 'doc-title', text: clause.documentTitle }) : null,
      clause.documentTitle ? ' — ' : null,
      h('span', { class: 'doc-file', text: clause.source }),
    ];
  }

  function attentionSection() {
    const problems = problemCases();
    return h(
      'section',
      { class: 'card', id: 'attention', 'aria-labelledby': 'attention-title' },
      h('h2', { id: 'attention-title', text: t('attention.title') }),
      problems.length
        ? h(
            'ul',
            { class: 'attention-list' },
            problems.map((r) =>
              h(
                'li',
                { class: `attention-item v-${r.verdict}` },
                verdictBadge(r.verdict),
                h('span', { class: 'level', text: r.level }),
                caseLink(r.id),
                h('span', { class: 'attention-message', text: r.message }),
              ),
            ),
          )
        : h('p', {
            class: 'muted',
            text: report.complete === false ? t('attention.noneInterrupted') : t('attention.none'),
          }),
    );
  }

  /**
   * The clauses as a compact grid: one row per clause with a strip of its cases' verdicts; the requirement,
   * its source and the case list open on demand, so 30 clauses take a screen, not six.
   */
  function coverageSection() {
    const clauses = report.clauses || [];
    return h(
      'section',
      { class: 'card', id: 'coverage', 'aria-labelledby': 'coverage-title' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'coverage-title', text: t('coverage.title') }),
        clauses.length ? h('p', { class: 'muted coverage-legend', text: t('coverage.legend') }) : null,
      ),
      clauses.length
        ? h('div', { class: 'coverage coverage-grid' }, clauses.map(clauseItem))
        : h('p', { class: 'muted', text: t('coverage.none') }),
    );
  }

  /** @param {import('../../src/results/types.ts').ClauseCoverage} c */
  function clauseItem(c) {
    const uncoveredMust = c.verdict === 'uncovered' && c.level === 'MUST';
    return h(
      'details',
      {
        class: `clause-item v-row-${c.verdict}${uncoveredMust ? ' uncovered-must' : ''}`,
        dataset: { key: `coverage-${c.id}`, clause: c.id },
      },
      h(
        'summary',
        { class: 'clause-row', title: c.text },
        h('code', { class: 'clause-id', text: c.id }),
        h('span', { class: 'level', text: c.level }),
        verdictBadge(c.verdict),
        h(
          'span',
          { class: 'verdict-strip', 'aria-hidden': 'true' },
          c.cases.map((id) => {
            const r = resultOf(id);
            const verdict = r ? r.verdict : 'not-applicable';
            return h('a', {
              class: `cell v-${verdict}`,
              href: caseHref(id),
              tabindex: '-1',
              title: `${id}: ${t(`verdict.${verdict}`)}`,
              onclick: (event) => followCaseLink(event, id),
            });
          }),
        ),
        h('span', {
          class: 'clause-count muted',
          text: caseCount(c.cases.length, 'coverage.caseCount1', 'coverage.caseCount'),
        }),
      ),
      h(
        'div',
        { class: 'clause-detail' },
        h('p', { class: 'clause-text', text: c.text }),
        h(
          'p',
          { class: 'clause-source' },
          h('span', { class: 'muted', text: `${t('coverage.source')}: ` }),
          sourceView(c),
        ),
        c.cases.length ? groupCases(c.cases) : h('p', { class: 'muted', text: '–' }),
      ),
    );
  }

  function select(key, labelKey, values, labelOf) {
    const id = `filter-${key}`;
    const control = h(
      'select',
      { id, onchange: (event) => setFilter(key, event.target.value) },
      h('option', { value: '', text: t('filter.any') }),
      values.map((value) => h('option', { value, text: labelOf ? labelOf(value) : value })),
    );
    controls[key] = control;
    return h('div', { class: 'field' }, h('label', { for: id, text: t(labelKey) }), control);
  }

  function casesSection() {
    const results = report.results;
    const transports = [...new Set(results.map((r) => r.transport))].sort();
    const tags = [...new Set(results.flatMap((r) => r.tags || []))].sort();
    const search = h('input', {
      id: 'filter-q',
      type: 'search',
      placeholder: t('filter.searchPlaceholder'),
      autocomplete: 'off',
      oninput: (event) => setFilter('q', event.target.value),
    });
    controls.q = search;
    controls.showing = h('p', { class: 'showing', role: 'status', 'aria-live': 'polite' });
    controls.noMatch = h('p', { class: 'muted no-match', hidden: true, text: t('cases.noMatch') });
    const toolbar = h(
      'div',
      { class: 'toolbar controls', role: 'search', 'aria-label': t('filter.title') },
      h('div', { class: 'field field-search' }, h('label', { for: 'filter-q', text: t('filter.search') }), search),
      select('verdict', 'cases.verdict', VERDICTS, (v) => t(`verdict.${v}`)),
      select(
        'level',
        'cases.level',
        LEVELS.filter((l) => results.some((r) => r.level === l)),
      ),
      select('transport', 'cases.transport', transports),
      select('tag', 'cases.tags', tags),
      h(
        'div',
        { class: 'toolbar-buttons' },
        h('button', {
          type: 'button',
          class: 'button',
          text: t('filter.clear'),
          onclick: () => {
            view = { ...emptyView(), case: view.case };
            writeHash();
            applyFilters();
          },
        }),
        h('button', { type: 'button', class: 'button', text: t('filter.expandAll'), onclick: () => setAllOpen(true) }),
        h('button', {
          type: 'button',
          class: 'button',
          text: t('filter.collapseAll'),
          onclick: () => setAllOpen(false),
        }),
      ),
    );
    const header = h(
      'div',
      { class: 'case-row case-head', 'aria-hidden': 'true' },
      ['cases.verdict', 'cases.case', 'cases.level', 'cases.clauses', 'cases.tags', 'cases.duration'].map((key) =>
        h('span', { text: t(key) }),
      ),
    );
    return h(
      'section',
      { class: 'card', id: 'cases', 'aria-labelledby': 'cases-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'cases-title', text: t('cases.title') }), controls.showing),
      h('div', { class: 'cases-sticky' }, toolbar, header),
      h('div', { class: 'case-list' }, results.map(caseView)),
      controls.noMatch,
    );
  }

  function setAllOpen(open) {
    for (const node of caseNodes.values()) if (!node.hidden) node.open = open;
    if (!open && view.case) {
      view = { ...view, case: '' };
      writeHash();
    }
  }

  // ---- One case -----------------------------------------------------------------------------------

  /** @param {import('../../src/results/types.ts').CaseResult} r */
  function caseView(r) {
    const summary = h(
      'summary',
      {
        class: 'case-row',
        onclick: () => {
          // Runs before the toggle: `open` is still the old state. Only a person's click moves the link.
          const opening = !details.open;
          if (opening) view = { ...view, case: r.id };
          else if (view.case === r.id) view = { ...view, case: '' };
          writeHash();
        },
      },
      h('span', { class: 'case-verdict' }, verdictBadge(r.verdict)),
      h(
        'span',
        { class: 'case-main' },
        h('span', { class: 'case-id', text: r.id }),
        h('span', { class: 'case-title', text: r.title }),
        r.verdict === 'pass' ? null : h('span', { class: 'case-message', text: r.message }),
      ),
      h('span', { class: 'case-level level', text: r.level }),
      h('span', { class: 'case-clauses', text: r.clauses.join(' ') }),
      h(
        'span',
        { class: 'case-tags' },
        policyMarks(r),
        (r.tags || []).map((tag) => h('span', { class: 'tag', text: tag })),
      ),
      h('span', { class: 'case-duration', text: formatMs(r.durationMs) }),
    );
    const details = h(
      'details',
      { class: `case v-${r.verdict}`, id: `case-${r.id}`, dataset: { id: r.id, verdict: r.verdict } },
      summary,
      h('div', { class: 'case-body' }, caseBody(r)),
    );
    caseNodes.set(r.id, details);
    return details;
  }

  /** @param {import('../../src/results/types.ts').CaseResult} r */
  function caseBody(r) {
    const e = r.evidence || {};
    const problems = (r.checks || []).filter((c) => c.result !== 'pass');
    const other = Object.keys(e).filter((key) => !KNOWN_EVIDENCE.has(key));
    const hasEvidence = Object.keys(e).length > 0;
    return [
      h(
        'dl',
        { class: 'case-facts' },
        fact('cases.why', h('span', { class: 'why', text: r.message }), 'fact-wide'),
        fact('cases.source', h('code', { text: r.source })),
        fact('cases.transport', r.transport),
        fact('cases.startedAt', formatTime(r.startedAt)),
        fact(
          'cases.link',
          h('a', { href: caseHref(r.id), 'aria-label': t('cases.linkLabel', { id: r.id }), text: `#case=${r.id}` }),
        ),
      ),
      problems.length ? expectedVsReceived(problems) : null,
      e.reproduce ? reproduceView(e.reproduce) : null,
      checksTable(r.checks || []),
      e.http?.length ? httpView(e.http) : null,
      e.amqp ? amqpView(e.amqp) : null,
      e.reboot
        ? rebootView(
            e.reboot,
            (r.checks || []).find((c) => c.check === 'reboot'),
          )
        : null,
      e.state ? stateView(e.state, r.checks || []) : null,
      e.outcome ? block('evidence.outcome', h('p', {}, h('code', { text: e.outcome }))) : null,
      e.notes?.length
        ? block(
            'evidence.notes',
            h(
              'ul',
              { class: 'notes' },
              e.notes.map((n) => h('li', { text: n })),
            ),
          )
        : null,
      other.map((key) => block(null, jsonBlock(e[key]), t('evidence.other', { key }))),
      hasEvidence ? null : h('p', { class: 'muted', text: t('evidence.none') }),
    ];
  }

  function fact(key, value, extraClass) {
    return h(
      'div',
      { class: `fact${extraClass ? ` ${extraClass}` : ''}` },
      h('dt', { text: t(key) }),
      h('dd', {}, value),
    );
  }

  function block(titleKey, content, title) {
    return h('section', { class: 'block' }, h('h3', { text: title || t(titleKey) }), content);
  }

  const RESULT_ICON = { pass: '✓', fail: '✗', lenient: '!', unobservable: '?' };

  function resultBadge(result) {
    return h(
      'span',
      { class: `badge r-${result}` },
      h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: RESULT_ICON[result] || '·' }),
      t(`result.${result}`),
    );
  }

  /** @param {import('../../src/results/types.ts').CheckOutcome[]} problems */
  function expectedVsReceived(problems) {
    return block(
      'checks.vs',
      problems.map((c) =>
        h(
          'div',
          { class: `evr r-${c.result}` },
          h(
            'div',
            { class: 'evr-head' },
            h('code', { class: 'evr-check', text: c.check }),
            h('span', { class: 'level', text: c.level }),
            resultBadge(c.result),
          ),
          h(
            'div',
            { class: 'evr-grid' },
            h(
              'div',
              { class: 'evr-side evr-expected' },
              h('div', { class: 'evr-label', text: t('checks.expected') }),
              h('pre', { class: 'evr-value', text: c.expected }),
            ),
            h(
              'div',
              { class: 'evr-side evr-received' },
              h('div', { class: 'evr-label', text: t('checks.received') }),
              h('pre', { class: 'evr-value', text: c.received }),
            ),
          ),
        ),
      ),
    );
  }

  /** @param {import('../../src/results/types.ts').CheckOutcome[]} checks */
  function checksTable(checks) {
    if (!checks.length) return block('checks.title', h('p', { class: 'muted', text: t('checks.none') }));
    return block(
      'checks.title',
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table checks' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['checks.check', 'cases.level', 'checks.result', 'checks.expected', 'checks.received'].map((key) =>
                h('th', { scope: 'col', text: t(key) }),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            checks.map((c) =>
              h(
                'tr',
                { class: `r-row-${c.result}` },
                h('th', { scope: 'row' }, h('code', { text: c.check })),
                h('td', { text: c.level }),
                h('td', {}, resultBadge(c.result)),
                h('td', { class: 'pre-wrap', text: c.expected }),
                h('td', { class: 'pre-wrap', text: c.received }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // ---- Reproduce --------------------------------------------------------------------------------

  function reproduceView(command) {
    const code = h('pre', { class: 'code reproduce-cmd', text: command });
    const status = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
    const button = h('button', {
      type: 'button',
      class: 'button copy',
      text: t('reproduce.copy'),
      onclick: () => copyText(command, code, status),
    });
    return block(
      'reproduce.title',
      h('div', { class: 'reproduce' }, code, h('div', { class: 'reproduce-actions controls' }, button, status)),
    );
  }

  async function copyText(text, node, status) {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t('reproduce.copied');
    } catch {
      // No clipboard permission (some file:// setups): select the text so Ctrl+C works.
      const range = document.createRange();
      range.selectNodeContents(node);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      let copied = false;
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
      status.textContent = copied ? t('reproduce.copied') : t('reproduce.copyFailed');
    }
    window.setTimeout(() => {
      status.textContent = '';
    }, 2500);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  /** @param {import('../../src/results/types.ts').HttpExchangeEvidence[]} exchanges */
  function httpView(exchanges) {
    return block(
      'http.title',
      exchanges.map((x, i) => {
        const status = x.response?.status;
        const statusClass =
          status === undefined
            ? 'status-none'
            : status < 300
              ? 'status-ok'
              : status < 500
                ? 'status-4xx'
                : 'status-5xx';
        return h(
          'div',
          { class: 'exchange' },
          h(
            'div',
            { class: 'exchange-head' },
            exchanges.length > 1 ? h('span', { class: 'muted', text: t('http.exchange', { n: i + 1 }) }) : null,
            h('code', { class: 'method', text: x.request.method }),
            h('code', { class: 'url', text: x.request.url }),
            h('span', { 'aria-hidden': 'true', class: 'arrow', text: '→' }),
            h('span', {
              class: `status ${statusClass}`,
              text: status === undefined ? t('http.noResponse') : String(status),
            }),
          ),
          h(
            'p',
            { class: 'timings' },
            h('span', { class: 'muted', text: `${t('http.timings')}: ` }),
            [
              ['http.sentAt', x.sentAtMs],
              ['http.headersAt', x.headersAtMs],
              ['http.completeAt', x.completeAtMs],
            ]
              .filter(([, v]) => v !== undefined)
              .map(([key, v], j) => [j ? ' · ' : '', `${t(key)} ${formatMs(v)}`]),
          ),
          x.error
            ? h(
                'p',
                { class: 'transport-error' },
                h('strong', { text: `${t('http.error')}: ` }),
                h('code', { text: x.error }),
              )
            : null,
          h(
            'div',
            { class: 'exchange-grid' },
            h(
              'div',
              { class: 'exchange-side' },
              h('h4', { text: t('http.request') }),
              headersTable(x.request.headers),
              h('h5', { text: t('http.body') }),
              bodyView(x.request.body),
            ),
            h(
              'div',
              { class: 'exchange-side' },
              h('h4', { text: t('http.response') }),
              x.response
                ? [
                    h(
                      'p',
                      {},
                      h('span', { class: 'muted', text: `${t('http.status')}: ` }),
                      h('strong', { class: `status ${statusClass}`, text: String(x.response.status) }),
                    ),
                    headersTable(x.response.headers),
                    h('h5', { text: t('http.body') }),
                    bodyView(x.response.body),
                  ]
                : h('p', { class: 'muted', text: t('http.noResponse') }),
            ),
          ),
        );
      }),
    );
  }

  function headersTable(headers) {
    const entries = Object.entries(headers || {});
    if (!entries.length) return h('p', { class: 'muted small', text: t('http.noHeaders') });
    return h(
      'table',
      { class: 'kv', 'aria-label': t('http.headers') },
      h(
        'tbody',
        {},
        entries.map(([name, value]) => h('tr', {}, h('th', { scope: 'row', text: name }), h('td', { text: value }))),
      ),
    );
  }

  /** A wire body: pretty JSON when it parses, the text otherwise, a hex dump when it was not UTF-8. */
  function bodyView(body) {
    if (!body) return h('p', { class: 'muted small', text: t('http.noBody') });
    const notes = [];
    if (body.truncated) notes.push(h('span', { class: 'note-warn', text: t('body.truncated') }));
    if (body.base64 !== undefined) {
      return h(
        'div',
        { class: 'body' },
        h('p', { class: 'body-meta' }, `${t('body.hex')} · ${t('body.bytes', { n: body.bytes })} `, notes),
        h('pre', { class: 'code hex', text: hexDump(body.base64) }),
      );
    }
    const text = body.text ?? '';
    if (text === '' && !body.truncated) return h('p', { class: 'muted small', text: t('body.empty') });
    if (text.charCodeAt(0) === 0xfeff) notes.push(h('span', { class: 'note-warn', text: t('body.bom') }));
    const parsed = parseJsonContainer(text);
    if (parsed.ok) {
      if (hasDuplicateKeys(text)) {
        notes.push(h('span', { class: 'note-warn', text: t('body.duplicateKeys') }));
        return h(
          'div',
          { class: 'body' },
          h('p', { class: 'body-meta' }, `${t('body.text')} · ${t('body.bytes', { n: body.bytes })} `, notes),
          h('pre', { class: 'code', text }),
        );
      }
      return h(
        'div',
        { class: 'body' },
        h('p', { class: 'body-meta' }, `${t('body.json')} · ${t('body.bytes', { n: body.bytes })} `, notes),
        h('pre', { class: 'code json', text: JSON.stringify(parsed.value, null, 2) }),
        h(
          'details',
          { class: 'exact' },
          h('summary', { class: 'exact-toggle', text: t('body.exact') }),
          h('pre', { class: 'code', text }),
        ),
      );
    }
    return h(
      'div',
      { class: 'body' },
      h('p', { class: 'body-meta' }, `${t('body.text')} · ${t('body.bytes', { n: body.bytes })} `, notes),
      h('pre', { class: 'code', text }),
    );
  }

  /** Only objects and arrays are re-formatted; a bare JSON scalar is shown as it came. */
  function parseJsonContainer(text) {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  }

  /** True when some object in (valid) JSON text repeats a key: JSON.parse would silently keep the last. */
  function hasDuplicateKeys(text) {
    const stack = [];
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        const literal = text.slice(i, j + 1);
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k])) k++;
        const top = stack[stack.length - 1];
        if (text[k] === ':' && top instanceof Set) {
          let key = literal;
          try {
            key = JSON.parse(literal);
          } catch {
            // Keep the literal itself as the key.
          }
          if (top.has(key)) return true;
          top.add(key);
        }
        i = j + 1;
        continue;
      }
      if (c === '{') stack.push(new Set());
      else if (c === '[') stack.push(null);
      else if (c === '}' || c === ']') stack.pop();
      i++;
    }
    return false;
  }

  function hexDump(base64) {
    let binary;
    try {
      binary = window.atob(base64);
    } catch {
      return base64;
    }
    const lines = [];
    for (let offset = 0; offset < binary.length; offset += 16) {
      const chunk = binary.slice(offset, offset + 16);
      const hex = [...chunk].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, '0'));
      const left = hex.slice(0, 8).join(' ');
      const right = hex.slice(8).join(' ');
      const ascii = [...chunk].map((ch) => (ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) < 0x7f ? ch : '.')).join('');
      lines.push(`${offset.toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
    }
    return lines.join('\n');
  }

  function jsonBlock(value) {
    let text;
    try {
      text = JSON.stringify(value, null, 2);
    } catch {
      text = String(value);
    }
    return h('pre', { class: 'code json', text: text ?? String(value) });
  }

  function plain(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  // ---- MQ ---------------------------------------------------------------------------------------

  /** @param {import('../../src/results/types.ts').AmqpEvidence} amqp */
  function amqpView(amqp) {
    // The shape may still grow; anything this view does not recognise is shown as JSON.
    if (!amqp || !Array.isArray(amqp.published) || !Array.isArray(amqp.replies)) {
      return block('amqp.title', jsonBlock(amqp));
    }
    const known = new Set(['broker', 'commandQueue', 'upQueue', 'published', 'replies']);
    const extra = Object.fromEntries(Object.entries(amqp).filter(([key]) => !known.has(key)));
    return block('amqp.title', [
      h(
        'dl',
        { class: 'case-facts' },
        fact('amqp.broker', h('code', { text: plain(amqp.broker) })),
        fact('amqp.commandQueue', h('code', { text: plain(amqp.commandQueue) })),
        fact('amqp.upQueue', h('code', { text: plain(amqp.upQueue) })),
      ),
      amqp.published.map((m, i) =>
        h(
          'div',
          { class: 'exchange' },
          h(
            'div',
            { class: 'exchange-head' },
            h('strong', { text: t('amqp.published', { n: i + 1, role: m.role, queue: m.queue }) }),
            h('span', { class: 'muted', text: t('amqp.at', { ms: formatMs(m.atMs) }) }),
          ),
          h(
            'div',
            { class: 'exchange-grid' },
            h('div', { class: 'exchange-side' }, h('h5', { text: t('amqp.properties') }), jsonBlock(m.properties)),
            h('div', { class: 'exchange-side' }, h('h5', { text: t('http.body') }), bodyView(m.body)),
          ),
        ),
      ),
      amqp.replies.length
        ? amqp.replies.map((reply, i) =>
            h(
              'div',
              { class: 'exchange' },
              h(
                'div',
                { class: 'exchange-head' },
                h('strong', { text: t('amqp.reply', { n: i + 1, channel: reply.channel }) }),
                h('span', { class: 'muted', text: t('amqp.at', { ms: formatMs(reply.atMs) }) }),
                reply.matchedBy
                  ? h('span', { class: 'tag', text: t('amqp.matchedBy', { how: reply.matchedBy }) })
                  : null,
                reply.answers ? h('span', { class: 'tag', text: t('amqp.answers', { role: reply.answers }) }) : null,
              ),
              h(
                'div',
                { class: 'exchange-grid' },
                h('div', { class: 'exchange-side' }, h('h5', { text: t('amqp.meta') }), jsonBlock(reply.meta)),
                h('div', { class: 'exchange-side' }, h('h5', { text: t('http.body') }), bodyView(reply.body)),
              ),
            ),
          )
        : h('p', { class: 'muted', text: t('amqp.noReplies') }),
      Object.keys(extra).length ? jsonBlock(extra) : null,
    ]);
  }

  // ---- Reboot timeline --------------------------------------------------------------------------

  /**
   * @param {import('../../src/results/types.ts').RebootTimeline} r
   * @param {import('../../src/results/types.ts').CheckOutcome | undefined} rebootCheck
   */
  function rebootView(r, rebootCheck) {
    const marks = [
      { key: 'response', at: 0, cls: 'm-response' },
      { key: 'down', at: r.downAtMs, cls: 'm-down' },
      { key: 'up', at: r.upAtMs, cls: 'm-up' },
      { key: 'ready', at: r.readyAtMs, cls: 'm-ready' },
    ]
      .filter((m) => typeof m.at === 'number')
      .map((m) => ({ ...m, at: Number(m.at), limit: false }));
    // How long the watcher looked matters only when the device never went down.
    const watched = typeof r.watchedMs === 'number' && typeof r.downAtMs !== 'number' ? r.watchedMs : 0;
    // A device that did not come back (or never got ready) was watched to the end of the up window.
    const upWindowEnd = typeof r.downAtMs === 'number' ? r.downAtMs + r.upWithinMs : 0;
    const elapsed = r.outcome === 'not-back' || r.outcome === 'not-ready' ? upWindowEnd : 0;
    const eventsEnd = Math.max(watched, elapsed, ...marks.map((m) => m.at), 1);
    const windows = [{ key: 'downWindow', from: 0, to: r.downWithinMs, cls: 'w-down', row: 0 }];
    if (typeof r.downAtMs === 'number') {
      windows.push({ key: 'upWindow', from: r.downAtMs, to: r.downAtMs + r.upWithinMs, cls: 'w-up', row: 1 });
    }
    // Windows much longer than what happened would squash every mark into the left edge: they are cut
    // at the right and say where they end.
    const fitting = windows.map((w) => w.to).filter((end) => end <= eventsEnd * 3);
    const extent = Math.max(eventsEnd, ...fitting) * 1.06;
    const W = 800;
    const padL = 14;
    const padR = 14;
    const x = (ms) => padL + (Math.min(Math.max(ms, 0), extent) / extent) * (W - padL - padR);
    const axisY = 112;
    const nodes = [];

    for (const w of windows) {
      const y = 6 + w.row * 24;
      const x0 = x(w.from);
      const cut = w.to > extent;
      const x1 = x(w.to);
      nodes.push(svg('rect', { class: `band ${w.cls}`, x: x0, y, width: Math.max(x1 - x0, 1), height: 18, rx: 3 }));
      const ends = w.from > 0 ? ` (${t('reboot.beyond', { ms: `+${formatMs(w.to)}` })})` : '';
      const label = `${t(`reboot.${w.key}`)} ≤ ${formatMs(w.to - w.from)}${ends}${cut ? ' →' : ''}`;
      const fitsInside = x1 - x0 > label.length * 6.4 + 8;
      nodes.push(
        svg('text', {
          class: 'band-label',
          x: fitsInside ? x0 + 6 : Math.min(x1 + 6, W - padR),
          y: y + 13,
          'text-anchor': fitsInside || x1 + 6 < W - 200 ? 'start' : 'end',
          text: label,
        }),
      );
    }

    // Axis with round ticks.
    nodes.push(svg('line', { class: 'axis', x1: padL, x2: W - padR, y1: axisY, y2: axisY }));
    const step = niceStep(extent / 6);
    for (let ms = 0; ms <= extent; ms += step) {
      nodes.push(svg('line', { class: 'tick', x1: x(ms), x2: x(ms), y1: axisY, y2: axisY + 5 }));
      nodes.push(
        svg('text', { class: 'tick-label', x: x(ms), y: axisY + 18, 'text-anchor': 'middle', text: formatMs(ms) }),
      );
    }

    // Dashed, unlabelled-by-dot marks: how long the watcher looked, where the up window ran out.
    const limits = [
      ...(watched > 0 ? [{ key: 'watched', at: watched, cls: 'm-watched', limit: true }] : []),
      ...(elapsed > 0 ? [{ key: 'deadline', at: elapsed, cls: 'm-deadline', limit: true }] : []),
    ];
    for (const m of limits) {
      nodes.push(svg('line', { class: `limit ${m.cls}`, x1: x(m.at), x2: x(m.at), y1: 52, y2: axisY }));
    }

    // Mark labels go on up to three rows so that close marks do not overlap.
    const rowsEnd = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const labelled = [...marks, ...limits].sort((a, b) => a.at - b.at);
    for (const m of labelled) {
      const label = `${t(`reboot.${m.key}`)} +${formatMs(m.at)}`;
      const width = label.length * 6.6 + 6;
      const mx = x(m.at);
      const anchorEnd = mx + width > W - padR;
      const left = anchorEnd ? mx - width : mx;
      let row = rowsEnd.findIndex((end) => end < left - 6);
      if (row === -1) row = 2;
      rowsEnd[row] = left + width;
      const ly = 64 + row * 15;
      if (!m.limit) {
        nodes.push(svg('line', { class: `mark-line ${m.cls}`, x1: mx, x2: mx, y1: ly + 3, y2: axisY }));
        nodes.push(svg('circle', { class: `mark-dot ${m.cls}`, cx: mx, cy: axisY, r: 4.5 }));
      }
      nodes.push(
        svg('text', {
          class: `mark-label ${m.cls}`,
          x: anchorEnd ? mx - 3 : mx + 3,
          y: ly,
          'text-anchor': anchorEnd ? 'end' : 'start',
          text: label,
        }),
      );
    }

    const outcomeText = t(`reboot.${r.outcome}`);
    const outcomeClass = rebootCheck ? `r-${rebootCheck.result}` : 'r-neutral';
    const summaryText = `${t('reboot.title')}: ${outcomeText}. ${marks.map((m) => `${t(`reboot.${m.key}`)} +${formatMs(m.at)}`).join(', ')}`;
    const chart = svg(
      'svg',
      {
        class: 'timeline',
        viewBox: `0 0 ${W} ${axisY + 26}`,
        role: 'img',
        'aria-label': summaryText,
        preserveAspectRatio: 'xMinYMin meet',
      },
      nodes,
    );
    const rows = [
      ['reboot.response', 0],
      ['reboot.down', r.downAtMs],
      ['reboot.up', r.upAtMs],
      ['reboot.ready', r.readyAtMs],
      ['reboot.watched', r.watchedMs],
    ];
    return block('reboot.title', [
      h(
        'p',
        { class: 'reboot-outcome' },
        h('span', { class: 'muted', text: `${t('reboot.outcome')}: ` }),
        h(
          'span',
          { class: `badge ${outcomeClass}` },
          h('span', {
            class: 'badge-icon',
            'aria-hidden': 'true',
            text: rebootCheck ? RESULT_ICON[rebootCheck.result] : '•',
          }),
          outcomeText,
        ),
      ),
      chart,
      h(
        'div',
        { class: 'reboot-facts' },
        h(
          'table',
          { class: 'kv' },
          h(
            'tbody',
            {},
            rows.map(([key, at]) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row', text: t(key) }),
                h('td', { text: typeof at === 'number' ? `+${formatMs(at)}` : t('reboot.notSeen') }),
              ),
            ),
          ),
        ),
        h(
          'table',
          { class: 'kv' },
          h(
            'tbody',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'row', text: t('reboot.downWindow') }),
              h('td', { text: formatMs(r.downWithinMs) }),
            ),
            h(
              'tr',
              {},
              h('th', { scope: 'row', text: t('reboot.upWindow') }),
              h('td', { text: formatMs(r.upWithinMs) }),
            ),
            h(
              'tr',
              {},
              h('th', { scope: 'row', text: t('reboot.probe') }),
              h('td', { text: formatMs(r.probeIntervalMs) }),
            ),
            r.uptimeBefore !== undefined
              ? h(
                  'tr',
                  {},
                  h('th', { scope: 'row', text: t('reboot.uptimeBefore') }),
                  h('td', {}, h('code', { text: r.uptimeBefore })),
                )
              : null,
            r.uptimeAfter !== undefined
              ? h(
                  'tr',
                  {},
                  h('th', { scope: 'row', text: t('reboot.uptimeAfter') }),
                  h('td', {}, h('code', { text: r.uptimeAfter })),
                )
              : null,
          ),
        ),
      ),
    ]);
  }

  function niceStep(raw) {
    const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
    const base = raw / power;
    const nice = base <= 1 ? 1 : base <= 2 ? 2 : base <= 5 ? 5 : 10;
    return Math.max(nice * power, 1);
  }

  // ---- State ------------------------------------------------------------------------------------

  /**
   * @param {import('../../src/results/types.ts').StateEvidence} s
   * @param {import('../../src/results/types.ts').CheckOutcome[]} checks
   */
  function stateView(s, checks) {
    // Category → the worst result among its checks, so the table shows where the state check went wrong.
    const RANK = { fail: 3, unobservable: 2, lenient: 1 };
    const failed = new Map();
    for (const c of checks) {
      if (!c.check.startsWith('state.') || !(c.result in RANK)) continue;
      const category = c.check.split('.')[1];
      if (!failed.has(category) || RANK[c.result] > RANK[failed.get(category)]) failed.set(category, c.result);
    }
    const columns = [
      ['state.before', s.before],
      ['state.afterResponse', s.afterResponse],
      ['state.after', s.after],
    ].filter(([, snapshot]) => snapshot);
    const seeded = new Set(s.seeded || []);
    const unseedable = new Set(s.unseedable || []);
    const parts = [];
    if (columns.length) {
      parts.push(
        h(
          'table',
          { class: 'table state' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', text: t('state.category') }),
              columns.map(([key]) => h('th', { scope: 'col', text: t(key) })),
            ),
          ),
          h(
            'tbody',
            {},
            STATE_COUNTED.map((category) =>
              h(
                'tr',
                { class: failed.has(category) ? `state-problem r-row-${failed.get(category)}` : '' },
                h(
                  'th',
                  { scope: 'row' },
                  stateMark(failed.get(category)),
                  t(`state.${category}`),
                  seeded.has(category) ? h('span', { class: 'tag tag-seeded', text: t('state.seeded') }) : null,
                  unseedable.has(category)
                    ? h('span', { class: 'tag tag-unseedable', text: t('state.unseedable') })
                    : null,
                ),
                columns.map(([, snapshot], i) => {
                  const text = countText(category, snapshot);
                  const changed = i > 0 && s.before && text !== countText(category, s.before);
                  return h(
                    'td',
                    { class: changed ? 'changed' : '', title: idsOf(category, snapshot) },
                    text,
                    changed ? h('span', { class: 'changed-mark', title: t('state.changed'), text: ' Δ' }) : null,
                  );
                }),
              ),
            ),
            settingsRow(columns, seeded, unseedable, failed.get('settings')),
          ),
        ),
      );
      parts.push(settingsTable(columns));
    }
    if (!columns.length || unseedable.size) {
      const list = (set) => [...set].map((c) => t(`state.${c}`)).join(', ') || '–';
      parts.push(
        h(
          'dl',
          { class: 'case-facts' },
          fact('state.seeded', list(seeded)),
          unseedable.size
            ? fact('state.unseedable', h('span', { class: 'tag tag-unseedable', text: list(unseedable) }))
            : null,
        ),
      );
    }
    return block('state.title', parts);
  }

  function stateMark(result) {
    if (!result) return null;
    return h('span', {
      class: `state-mark r-${result}`,
      title: t(`result.${result}`),
      text: `${RESULT_ICON[result]} `,
    });
  }

  function settingsRow(columns, seeded, unseedable, result) {
    return h(
      'tr',
      { class: result ? `state-problem r-row-${result}` : '' },
      h(
        'th',
        { scope: 'row' },
        stateMark(result),
        t('state.settings'),
        seeded.has('settings') ? h('span', { class: 'tag tag-seeded', text: t('state.seeded') }) : null,
        unseedable.has('settings') ? h('span', { class: 'tag tag-unseedable', text: t('state.unseedable') }) : null,
      ),
      columns.map(([, snapshot]) => h('td', { text: String(Object.keys(snapshot.settings || {}).length) })),
    );
  }

  function settingsTable(columns) {
    const keys = [...new Set(columns.flatMap(([, snapshot]) => Object.keys(snapshot.settings || {})))].sort();
    if (!keys.length) return null;
    const before = columns[0][1].settings || {};
    return h(
      'table',
      { class: 'table state settings' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', text: t('state.setting') }),
          columns.map(([key]) => h('th', { scope: 'col', text: t(key) })),
        ),
      ),
      h(
        'tbody',
        {},
        keys.map((key) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('code', { text: key })),
            columns.map(([, snapshot], i) => {
              const settings = snapshot.settings || {};
              const text = key in settings ? JSON.stringify(settings[key]) : t('state.absent');
              const changed = i > 0 && JSON.stringify(settings[key]) !== JSON.stringify(before[key]);
              return h(
                'td',
                { class: changed ? 'changed' : '' },
                h('code', { text }),
                changed ? h('span', { class: 'changed-mark', title: t('state.changed'), text: ' Δ' }) : null,
              );
            }),
          ),
        ),
      ),
    );
  }

  function countText(category, snapshot) {
    const part = snapshot?.[category];
    if (!part) return '–';
    if (category === 'identities') return `${part.count} (${t('state.faces', { n: part.faces })})`;
    return String(part.count);
  }

  function idsOf(category, snapshot) {
    const ids = snapshot?.[category]?.ids;
    if (!Array.isArray(ids) || !ids.length) return undefined;
    return ids.length > 30 ? `${ids.slice(0, 30).join(', ')} …` : ids.join(', ');
  }

  // ---- Start ------------------------------------------------------------------------------------

  if (!report || !Array.isArray(report.results)) {
    root.replaceChildren(h('p', { class: 'card', text: t('app.noData') }));
    return;
  }

  window.addEventListener('hashchange', () => {
    const next = viewFromHash();
    if (!sameView(next, view)) applyView(next, { scroll: true, focus: true });
  });

  // Printing shows everything: every case, opened (CSS hides the controls and the filters).
  let openBeforePrint = null;
  window.addEventListener('beforeprint', () => {
    openBeforePrint = new Set([...caseNodes].filter(([, node]) => node.open).map(([id]) => id));
    for (const node of caseNodes.values()) node.open = true;
  });
  window.addEventListener('afterprint', () => {
    if (!openBeforePrint) return;
    for (const [id, node] of caseNodes) node.open = openBeforePrint.has(id);
    openBeforePrint = null;
  });

  render();
  applyView(viewFromHash(), { scroll: true, focus: false });
})();
