// @ts-check: tsconfig.browser.json checks this file against the report's TypeScript types (npm run typecheck).
// The report browser's front page: draws the RunIndex embedded as <script type="application/json" id="index-data">.
(() => {
  const { t, h, gateBadge, formatTime, durationBetween, topbar, readData, verdictCounts } = globalThis.SophonPage;

  // page-shell.ts always writes <div id="app">.
  const root = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @type {import('./render-run-index.ts').RunIndex} */
  const data = readData('index-data');

  function render() {
    const runs = data.runs;
    const readable = runs.filter((r) => !r.error);
    document.title = t('index.title');
    root.replaceChildren(
      topbar(
        t('index.title'),
        h(
          'div',
          { class: 'topbar-nav' },
          data.ledgerHref
            ? h('a', { class: 'button-link ledger-link', href: data.ledgerHref, text: t('index.builds') })
            : null,
        ),
        render,
      ),
      h(
        'main',
        { class: 'page' },
        readable.length >= 2 ? compareForm(readable) : null,
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'runs-title' },
          h('h2', { id: 'runs-title', text: t('index.in', { dir: data.dir }) }),
          runs.length ? runTable(runs) : h('p', { class: 'muted', text: t('index.none') }),
        ),
      ),
    );
  }

  function compareForm(runs) {
    const choice = (name, label, selected) => {
      const id = `compare-${name}`;
      return h(
        'div',
        { class: 'field' },
        h('label', { for: id, text: label }),
        h(
          'select',
          { id, name },
          runs.map((r) =>
            h('option', {
              value: r.name,
              selected: r.name === selected,
              text: `${r.name} · ${gateWord(r.exitCode)} · ${formatTime(r.startedAt)}`,
            }),
          ),
        ),
      );
    };
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'compare-title' },
      h('h2', { id: 'compare-title', text: t('index.compareTitle') }),
      h(
        'form',
        { class: 'compare-form', method: 'get', action: data.compareHref },
        choice('a', t('compare.a'), runs[1]?.name),
        choice('b', t('compare.b'), runs[0]?.name),
        h('button', { type: 'submit', class: 'button', text: t('index.compare') }),
      ),
    );
  }

  function gateWord(exitCode) {
    const word = { 0: 'gate.pass', 1: 'gate.fail', 3: 'gate.incomplete' }[exitCode] || 'gate.error';
    return t(word);
  }

  function runTable(runs) {
    const readable = runs.filter((r) => !r.error);
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table runs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              'gate.title',
              'index.run',
              'meta.startedAt',
              'meta.target',
              'meta.suite',
              'cases.title',
              'index.files',
            ].map((k) => h('th', { scope: 'col', text: t(k) })),
          ),
        ),
        h(
          'tbody',
          {},
          runs.map((r) => {
            if (r.error) {
              return h(
                'tr',
                { class: 'run-row run-broken' },
                h('td', {}, h('span', { class: 'badge v-not-applicable', text: t('index.unreadable') })),
                h('th', { scope: 'row' }, h('span', { class: 'run-name', text: r.name })),
                h('td', { class: 'muted', colspan: 5, text: r.error }),
              );
            }
            const s = r.summary;
            const previous = readable[readable.indexOf(r) + 1];
            return h(
              'tr',
              { class: 'run-row', dataset: { run: r.name } },
              h(
                'td',
                {},
                gateBadge(r.exitCode),
                r.complete ? null : h('div', { class: 'small muted nowrap', text: t('index.interrupted') }),
              ),
              h(
                'th',
                { scope: 'row' },
                h('a', { class: 'run-name', href: r.href, text: r.name }),
                h('div', { class: 'small muted', text: `${r.tool} ${r.version} · ${t(`profile.${r.profile}`)}` }),
                previous
                  ? h(
                      'div',
                      { class: 'small' },
                      h('a', {
                        class: 'compare-previous',
                        href: `${data.compareHref}?${new URLSearchParams({ a: previous.name, b: r.name })}`,
                        text: `⇄ ${t('index.vsPrevious')}`,
                      }),
                    )
                  : null,
              ),
              h(
                'td',
                { class: 'nowrap' },
                formatTime(r.startedAt),
                h('div', { class: 'small muted', text: durationBetween(r.startedAt, r.finishedAt) }),
              ),
              h('td', {}, h('code', { text: r.target })),
              h('td', { text: r.suite }),
              countsCell(s),
              h(
                'td',
                {},
                h(
                  'ul',
                  { class: 'plain-list' },
                  r.files.map((f) => h('li', {}, h('a', { href: f.href, text: f.name }))),
                ),
              ),
            );
          }),
        ),
      ),
    );
  }

  function countsCell(s) {
    return h(
      'td',
      { class: 'counts-cell' },
      verdictCounts(s),
      h('div', { class: 'small muted', text: t('index.total', { n: s.total }) }),
    );
  }

  if (!data || !Array.isArray(data.runs)) {
    root.replaceChildren(h('p', { class: 'card', text: t('app.noData') }));
    return;
  }
  render();
})();
