// @ts-check: tsconfig.browser.json checks this file against the report's TypeScript types (npm run typecheck).
// The comparison page: draws the RunComparison embedded as <script type="application/json" id="comparison-data">.
(() => {
  const { t, h, verdictBadge, gateBadge, formatTime, durationBetween, topbar, readData } = globalThis.SophonPage;

  // page-shell.ts always writes <div id="app">.
  const root = /** @type {HTMLElement} */ (document.getElementById('app'));
  /**
   * @type {{
   *   comparison: import('../../src/results/compare-runs.ts').RunComparison;
   *   a: import('../render-comparison.ts').RunLink;
   *   b: import('../render-comparison.ts').RunLink;
   *   indexHref: string | null;
   * }}
   */
  const data = readData('comparison-data');

  const SECTIONS = [
    { key: 'newlyFailing', label: 'compare.newlyFailing', cls: 's-fail' },
    { key: 'newlyPassing', label: 'compare.newlyPassing', cls: 's-pass' },
    { key: 'stillFailing', label: 'compare.stillFailing', cls: 's-fail' },
    { key: 'verdictChanges', label: 'compare.verdictChanges', cls: '' },
    { key: 'added', label: 'compare.added', cls: '' },
    { key: 'removed', label: 'compare.removed', cls: '' },
    { key: 'changedEvidence', label: 'compare.changedEvidence', cls: '' },
  ];

  function caseHref(run, id) {
    return run.href ? `${run.href}#case=${encodeURIComponent(id)}` : undefined;
  }

  function caseLink(run, id) {
    const href = caseHref(run, id);
    return href ? h('a', { href, class: 'case-link' }, h('code', { text: id })) : h('code', { text: id });
  }

  function render() {
    const c = data.comparison;
    document.title = `${t('compare.title')}: ${data.a.name} → ${data.b.name}`;
    const evidenceById = new Map(c.changedEvidence.map((e) => [e.id, e]));
    root.replaceChildren(
      topbar(
        t('compare.title'),
        h(
          'nav',
          { class: 'topbar-nav controls' },
          data.indexHref ? h('a', { class: 'button-link', href: data.indexHref, text: `← ${t('index.back')}` }) : null,
        ),
        render,
        { print: true },
      ),
      h(
        'main',
        { class: 'page' },
        h('section', { class: 'sides' }, sideCard('compare.a', data.a, c.a), sideCard('compare.b', data.b, c.b)),
        c.sameBasis ? null : basisWarning(c),
        h(
          'section',
          { class: 'card' },
          h(
            'div',
            { class: 'counts', role: 'list' },
            SECTIONS.map((s) =>
              h(
                'a',
                { class: `count compare-count ${s.cls}`, href: `#${s.key}`, role: 'listitem' },
                h('span', { class: 'count-n', text: c[s.key].length }),
                h('span', { class: 'count-label', text: t(s.label) }),
              ),
            ),
          ),
          // Reports compared before these counts existed have neither: the page then says nothing of them.
          c.cases === undefined
            ? null
            : h('p', {
                class: c.compared === c.cases ? 'muted' : 'compare-warning',
                role: 'note',
                text: t('compare.compared', {
                  compared: c.compared,
                  cases: c.cases,
                  onlyA: c.removed.length,
                  onlyB: c.added.length,
                }),
              }),
          h('p', { class: 'muted', text: t('compare.unchanged', { n: c.unchanged }) }),
        ),
        changeSection('newlyFailing', c.newlyFailing, evidenceById),
        changeSection('newlyPassing', c.newlyPassing, evidenceById),
        changeSection('stillFailing', c.stillFailing, evidenceById),
        changeSection('verdictChanges', c.verdictChanges, null),
        onlySection('added', c.added, data.b),
        onlySection('removed', c.removed, data.a),
        evidenceSection(c.changedEvidence),
      ),
      h('footer', { class: 'page-footer', text: t('app.footer', { tool: c.b.tool, version: c.b.version }) }),
    );
  }

  function sideCard(labelKey, link, run) {
    const s = run.summary;
    return h(
      'div',
      { class: 'card side' },
      h(
        'div',
        { class: 'side-head' },
        h('h2', { text: t(labelKey) }),
        gateBadge(run.exitCode),
        run.complete ? null : h('span', { class: 'badge v-could-not-test', text: t('index.interrupted') }),
      ),
      h(
        'p',
        { class: 'run-name' },
        link.href ? h('a', { href: link.href, text: link.name }) : h('strong', { text: link.name }),
      ),
      h(
        'table',
        { class: 'kv' },
        h(
          'tbody',
          {},
          row('meta.startedAt', formatTime(run.startedAt)),
          row('meta.duration', durationBetween(run.startedAt, run.finishedAt)),
          row('meta.target', run.target),
          row('meta.suite', run.suite),
          row('meta.profile', t(`profile.${run.profile}`)),
          row('meta.tool', `${run.tool} ${run.version}`),
          row('meta.specHash', run.specHash ? run.specHash.slice(0, 12) : '–'),
          row(
            'index.counts',
            `${s.pass} / ${s.fail} / ${s.warn} / ${s.notApplicable} / ${s.couldNotTest}  (${t('gate.total')} ${s.total})`,
          ),
        ),
      ),
    );
  }

  const BASIS_LABEL = { suite: 'meta.suite', target: 'meta.target', specHash: 'meta.specHash' };

  /** Says which of suite, target and spec hash differ, with A's and B's value (older comparisons: the bare warning). */
  function basisWarning(c) {
    const differences = c.basisDifferences || [];
    return h(
      'div',
      { class: 'compare-warning', role: 'note' },
      h('p', { text: differences.length ? t('compare.differentBasis') : t('compare.differentSuite') }),
      differences.length
        ? h(
            'ul',
            { class: 'basis-differences' },
            differences.map((d) =>
              h(
                'li',
                { dataset: { field: d.field } },
                h('strong', { text: t(BASIS_LABEL[d.field] || d.field) }),
                ': A ',
                h('code', { class: 'basis-a', text: d.a }),
                ' · B ',
                h('code', { class: 'basis-b', text: d.b }),
              ),
            ),
          )
        : null,
    );
  }

  function row(key, value) {
    return h('tr', {}, h('th', { scope: 'row', text: t(key) }), h('td', { text: value }));
  }

  function section(key, count, content) {
    const s = SECTIONS.find((x) => x.key === key);
    return h(
      'section',
      { class: 'card', id: key, 'aria-labelledby': `${key}-title` },
      h('h2', { id: `${key}-title` }, `${t(s ? s.label : key)} `, h('span', { class: 'muted', text: `(${count})` })),
      count ? content : h('p', { class: 'muted', text: t('compare.none') }),
    );
  }

  function verdictMove(a, b) {
    return h(
      'span',
      { class: 'verdict-change' },
      verdictBadge(a),
      h('span', { 'aria-hidden': 'true', text: '→' }),
      verdictBadge(b),
    );
  }

  function changeSection(key, changes, evidenceById) {
    return section(
      key,
      changes.length,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'cases.case',
                'cases.level',
                'cases.verdict',
                'cases.why',
                ...(evidenceById ? ['compare.changedEvidence'] : []),
              ].map((k) => h('th', { scope: 'col', text: t(k) })),
            ),
          ),
          h(
            'tbody',
            {},
            changes.map((change) =>
              h(
                'tr',
                {},
                h(
                  'th',
                  { scope: 'row', class: 'case-cell' },
                  caseLink(data.b, change.id),
                  h('div', { class: 'muted small', text: change.title }),
                ),
                h('td', {}, h('span', { class: 'level', text: change.level })),
                h('td', {}, verdictMove(change.a, change.b)),
                h(
                  'td',
                  { class: 'pre-wrap' },
                  h('div', {}, h('span', { class: 'muted', text: 'B: ' }), change.messageB),
                  change.messageA !== change.messageB
                    ? h('div', { class: 'muted small' }, h('span', { text: 'A: ' }), change.messageA)
                    : null,
                ),
                evidenceById ? h('td', {}, differenceList(evidenceById.get(change.id))) : null,
              ),
            ),
          ),
        ),
      ),
    );
  }

  function differenceList(change) {
    if (!change) return h('span', { class: 'muted', text: '–' });
    return h(
      'ul',
      { class: 'plain-list' },
      change.differences.map((d) =>
        h(
          'li',
          {},
          h('code', { text: d.what }),
          ': ',
          h('span', { class: 'evidence-a', text: d.a }),
          ' → ',
          h('span', { class: 'evidence-b', text: d.b }),
        ),
      ),
    );
  }

  function onlySection(key, cases, run) {
    return section(
      key,
      cases.length,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['cases.case', 'cases.level', 'cases.verdict', 'cases.why'].map((k) =>
                h('th', { scope: 'col', text: t(k) }),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            cases.map((r) =>
              h(
                'tr',
                {},
                h(
                  'th',
                  { scope: 'row', class: 'case-cell' },
                  caseLink(run, r.id),
                  h('div', { class: 'muted small', text: r.title }),
                ),
                h('td', {}, h('span', { class: 'level', text: r.level })),
                h('td', {}, verdictBadge(r.verdict)),
                h('td', { class: 'pre-wrap', text: r.message }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  /**
   * Evidence changes case by case. Changes behind the same verdict come first and open: they are the
   * ones no verdict shows. Changes behind a verdict change are folded when there are many of them.
   */
  function evidenceSection(changes) {
    const same = changes.filter((c) => c.a === c.b);
    const moved = changes.filter((c) => c.a !== c.b);
    return section('changedEvidence', changes.length, [
      same.length ? h('h3', { text: t('compare.sameVerdict', { n: same.length }) }) : null,
      same.map((c) => evidenceCase(c, true)),
      moved.length ? h('h3', { text: t('compare.movedVerdict', { n: moved.length }) }) : null,
      moved.map((c) => evidenceCase(c, moved.length <= 10)),
    ]);
  }

  function evidenceCase(change, open) {
    return h(
      'details',
      { class: 'evidence-case', open, dataset: { id: change.id } },
      h(
        'summary',
        { class: 'evidence-summary' },
        caseLink(data.b, change.id),
        ' ',
        verdictMove(change.a, change.b),
        ' ',
        h('span', { class: 'muted small', text: t('compare.differences', { n: change.differences.length }) }),
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table evidence-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['compare.what', 'compare.a', 'compare.b'].map((k) => h('th', { scope: 'col', text: t(k) })),
            ),
          ),
          h(
            'tbody',
            {},
            change.differences.map((d) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('code', { text: d.what })),
                h('td', { class: 'evidence-a', text: d.a }),
                h('td', { class: 'evidence-b', text: d.b }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  if (!data?.comparison) {
    root.replaceChildren(h('p', { class: 'card', text: t('app.noData') }));
    return;
  }
  render();
})();
