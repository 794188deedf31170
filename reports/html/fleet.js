// @ts-check: tsconfig.browser.json checks this file against the report's TypeScript types (npm run typecheck).
// The fleet page: draws the FleetSummary embedded as <script type="application/json" id="fleet-data">
// (`sophon-conformance merge`): the fleet's gate, the devices grouped by firmware, and a devices × clauses
// matrix in which each cell opens the device's own report at the case behind it.
(() => {
  const { t, h, gateBadge, formatMs, formatTime, topbar, readData, verdictCounts, VERDICT_ICON } =
    globalThis.SophonPage;

  const PROBLEM = new Set(['fail', 'warn', 'could-not-test']);
  // A fleet's gate reads like a run's, but about devices (the worst device decides; a gap is exit 2).
  const GATE = {
    0: { cls: 'gate-pass', icon: '✓', label: 'gate.pass' },
    1: { cls: 'gate-fail', icon: '✗', label: 'gate.fail' },
    2: { cls: 'gate-error', icon: '!', label: 'gate.error' },
    3: { cls: 'gate-incomplete', icon: '?', label: 'gate.incomplete' },
  };

  // page-shell.ts always writes <div id="app">.
  const root = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @type {import('../../src/results/fleet-types.ts').FleetSummary} */
  const fleet = readData('fleet-data');
  const view = { onlyProblemClauses: false, onlyProblemDevices: false };

  function render() {
    document.title = `${t('fleet.title')}: ${fleet.suite} · ${deviceCount(fleet.summary.devices)}`;
    root.replaceChildren(
      topbar(
        t('fleet.title'),
        h(
          'nav',
          { class: 'topbar-nav controls', 'aria-label': t('fleet.title') },
          jump('fleet.firmwareTitle', 'firmware'),
          jump('fleet.matrixTitle', 'matrix'),
        ),
        render,
        { print: true },
      ),
      h('main', { class: 'page' }, gateSection(), metaSection(), firmwareSection(), matrixSection(), notesSection()),
      h('footer', { class: 'page-footer', text: t('app.footer', { tool: fleet.tool, version: fleet.version }) }),
    );
  }

  function deviceCount(n) {
    return n === 1 ? t('fleet.deviceCountOne') : t('fleet.deviceCount', { n });
  }

  function jump(labelKey, id) {
    return h('button', {
      type: 'button',
      class: 'button-link',
      text: t(labelKey),
      onclick: () => document.getElementById(id)?.scrollIntoView({ block: 'start' }),
    });
  }

  function gateSection() {
    const gate = GATE[fleet.exitCode] || GATE[2];
    const s = fleet.summary;
    const counts = [
      ['pass', 'gate.pass', s.pass],
      ['fail', 'gate.fail', s.fail],
      ['could-not-test', 'gate.incomplete', s.incomplete],
      ['not-applicable', 'gate.error', s.notRun],
      ['uncovered', 'fleet.missing', s.missing],
    ].map(([verdict, label, n]) =>
      h(
        'div',
        { class: `count v-${verdict}${n === 0 ? ' count-zero' : ''}`, dataset: { gate: label } },
        h('span', { class: 'count-n', text: n }),
        h('span', { class: `count-label badge v-${verdict}`, text: t(label) }),
      ),
    );
    return h(
      'section',
      { class: `card gate fleet-gate ${gate.cls}`, 'aria-labelledby': 'gate-title' },
      h(
        'div',
        { class: 'gate-verdict' },
        h('h2', { id: 'gate-title', class: 'gate-heading', text: t('fleet.gateTitle') }),
        h(
          'p',
          { class: 'gate-word' },
          h('span', { class: 'gate-icon', 'aria-hidden': 'true', text: gate.icon }),
          h('span', { class: 'gate-label', text: t(gate.label) }),
        ),
        h('p', {
          class: 'gate-meaning',
          text: [0, 1, 2, 3].includes(fleet.exitCode)
            ? t(`fleet.exit${fleet.exitCode}`)
            : t('gate.exitOther', { code: fleet.exitCode }),
        }),
      ),
      h(
        'div',
        { class: 'gate-side' },
        h('div', { class: 'counts', role: 'group', 'aria-label': t('fleet.devicesByGate') }, counts),
        fleet.missingShards.length
          ? h(
              'div',
              { class: 'fleet-missing', role: 'alert' },
              h('p', { class: 'fleet-missing-head', text: t('fleet.missingShards') }),
              h(
                'ul',
                { class: 'plain-list' },
                fleet.missingShards.map((m) =>
                  h(
                    'li',
                    { dataset: { shard: m.index } },
                    t('fleet.missingShard', {
                      index: m.index,
                      count: fleet.lab.shards,
                      devices: m.devices.join(', ') || t('fleet.noDevice'),
                    }),
                  ),
                ),
              ),
            )
          : null,
        s.missing > fleet.missingShards.reduce((n, m) => n + m.devices.length, 0)
          ? h('p', { class: 'fleet-missing', role: 'alert', text: t('fleet.missingReports') })
          : null,
      ),
    );
  }

  function metaSection() {
    const given = fleet.shards.map((sh) => `${sh.index}/${fleet.lab.shards}`).join(', ');
    const rows = [
      ['meta.suite', fleet.suite],
      ['meta.profile', t(`profile.${fleet.profile}`)],
      ['fleet.cases', String(fleet.cases)],
      ['meta.specHash', h('code', { title: fleet.specHash, text: fleet.specHash.slice(0, 12) })],
      ['fleet.lab', t('fleet.labSize', { devices: fleet.lab.devices, shards: fleet.lab.shards })],
      ['fleet.shards', t('fleet.shardsGiven', { given: fleet.shards.length, count: fleet.lab.shards, list: given })],
      ['fleet.mergedAt', formatTime(fleet.mergedAt)],
      ['meta.tool', `${fleet.tool} ${fleet.version}`],
    ];
    return h(
      'section',
      { class: 'card meta', 'aria-label': t('fleet.title') },
      h(
        'dl',
        { class: 'meta-grid' },
        rows.map(([key, value]) => h('div', { class: 'meta-item' }, h('dt', { text: t(key) }), h('dd', {}, value))),
      ),
    );
  }

  const byName = () => new Map(fleet.devices.map((d) => [d.name, d]));

  function firmwareSection() {
    const devices = byName();
    return h(
      'section',
      { class: 'card', id: 'firmware', 'aria-labelledby': 'firmware-title' },
      h('h2', { id: 'firmware-title', text: t('fleet.firmwareTitle') }),
      fleet.firmware.map((group) =>
        h(
          'section',
          { class: 'firmware-group', dataset: { version: group.version ?? '' } },
          h(
            'div',
            { class: 'firmware-head' },
            gateBadge(group.exitCode),
            h(
              'h3',
              { class: 'firmware-version' },
              group.version ? h('code', { text: group.version }) : t('fleet.firmwareNone'),
            ),
            h('span', { class: 'muted small', text: deviceCount(group.devices.length) }),
          ),
          deviceTable(group.devices.map((name) => devices.get(name)).filter(Boolean)),
        ),
      ),
    );
  }

  function deviceTable(devices) {
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table fleet-devices' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['fleet.device', 'gate.title', 'index.counts', 'fleet.shard', 'meta.duration', 'meta.target'].map((k) =>
              h('th', { scope: 'col', text: t(k) }),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          devices.map((d) =>
            h(
              'tr',
              { class: 'device-row', dataset: { device: d.name } },
              h('th', { scope: 'row' }, deviceLink(d)),
              h('td', {}, deviceGate(d)),
              d.summary ? countsCell(d.summary) : h('td', { class: 'muted', text: d.error || t('meta.unknown') }),
              h('td', { class: 'nowrap', text: `${d.shard}/${fleet.lab.shards}` }),
              h('td', { class: 'nowrap', text: d.durationMs === undefined ? '–' : formatMs(d.durationMs) }),
              h('td', {}, d.target ? h('code', { text: d.target }) : null),
            ),
          ),
        ),
      ),
    );
  }

  /** A device's gate; a device with no report is shown as missing, not as one that could not run. */
  function deviceGate(d) {
    if (!d.missing) return gateBadge(d.exitCode);
    return h(
      'span',
      { class: 'badge gate-badge gate-missing' },
      h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: '∅' }),
      t('fleet.missing'),
    );
  }

  function deviceLink(d) {
    return d.href
      ? h('a', { class: 'device-link', href: d.href, text: d.name })
      : h('span', { class: 'device-link', text: d.name });
  }

  function countsCell(s) {
    return h('td', { class: 'counts-cell' }, verdictCounts(s));
  }

  function matrixSection() {
    const covered = fleet.clauses.filter((c) => fleet.devices.some((d) => d.clauses[c.id]));
    const troubled = (c) => c.fail.length + c.warn.length + c.couldNotTest.length > 0;
    const clauses = view.onlyProblemClauses ? covered.filter(troubled) : covered;
    const devices = byName();
    const hasProblem = (d) => d.exitCode !== 0 || d.problems.length > 0;
    const groups = fleet.firmware
      .map((g) => ({ ...g, members: g.devices.map((n) => devices.get(n)).filter(Boolean) }))
      .map((g) => ({ ...g, members: view.onlyProblemDevices ? g.members.filter(hasProblem) : g.members }))
      .filter((g) => g.members.length);
    const toggle = (key, label) =>
      h(
        'label',
        { class: 'fleet-toggle' },
        h('input', {
          type: 'checkbox',
          id: `toggle-${key}`,
          checked: view[key],
          onchange: (event) => {
            view[key] = event.target.checked;
            document.getElementById('matrix')?.replaceWith(matrixSection());
          },
        }),
        ` ${t(label)}`,
      );
    return h(
      'section',
      { class: 'card', id: 'matrix', 'aria-labelledby': 'matrix-title' },
      h('h2', { id: 'matrix-title', text: t('fleet.matrixTitle') }),
      h('p', { class: 'muted', text: t('fleet.matrixHelp') }),
      h(
        'div',
        { class: 'toolbar fleet-toolbar' },
        toggle('onlyProblemClauses', 'fleet.onlyProblemClauses'),
        toggle('onlyProblemDevices', 'fleet.onlyProblemDevices'),
      ),
      fleet.complete && !covered.some(troubled) ? h('p', { class: 'fleet-clean', text: t('fleet.noProblems') }) : null,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table fleet-matrix' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', text: t('fleet.device') }),
              clauses.map((c) =>
                h(
                  'th',
                  { scope: 'col', class: 'clause-col', title: c.text, dataset: { clause: c.id } },
                  h('span', { class: 'clause-id', text: c.id }),
                  h('span', { class: 'level', text: c.level }),
                ),
              ),
            ),
          ),
          groups.map((g) =>
            h(
              'tbody',
              { class: 'fleet-group', dataset: { version: g.version ?? '' } },
              h(
                'tr',
                { class: 'fleet-group-row' },
                h(
                  'th',
                  { scope: 'colgroup', colspan: clauses.length + 1 },
                  `${t('meta.firmware')}: `,
                  g.version ? h('code', { text: g.version }) : t('fleet.firmwareNone'),
                ),
              ),
              g.members.map((d) => matrixRow(d, clauses)),
            ),
          ),
        ),
      ),
    );
  }

  function matrixRow(d, clauses) {
    const head = h('th', { scope: 'row', class: 'matrix-device' }, deviceLink(d), ' ', deviceGate(d));
    if (!d.summary) {
      return h(
        'tr',
        { class: 'device-row matrix-row', dataset: { device: d.name } },
        head,
        h('td', { class: 'matrix-absent muted', colspan: Math.max(1, clauses.length), text: d.error || '' }),
      );
    }
    return h(
      'tr',
      { class: 'device-row matrix-row', dataset: { device: d.name } },
      head,
      clauses.map((c) => matrixCell(d, c)),
    );
  }

  function matrixCell(d, clause) {
    const verdict = d.clauses[clause.id];
    if (!verdict) return h('td', { class: 'cell cell-none', dataset: { clause: clause.id, verdict: '' } });
    const problems = d.problems.filter((p) => p.clauses.includes(clause.id) && PROBLEM.has(p.verdict));
    const label = t('fleet.cell', {
      device: d.name,
      clause: clause.id,
      level: clause.level,
      verdict: t(`verdict.${verdict}`),
    });
    const detail = problems.map((p) => `${p.id} [${p.level}] ${t(`verdict.${p.verdict}`)}: ${p.message}`);
    const title = [label, ...detail].join('\n');
    const icon = h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: VERDICT_ICON[verdict] || '·' });
    const first = problems[0];
    const content =
      first && d.href
        ? h(
            'a',
            {
              class: 'cell-link',
              href: `${d.href}#${new URLSearchParams({ case: first.id })}`,
              'aria-label': `${label}: ${first.id}`,
            },
            icon,
          )
        : h('span', { class: 'visually-hidden-wrap' }, icon, h('span', { class: 'visually-hidden', text: label }));
    return h(
      'td',
      { class: `cell v-${verdict}`, title, dataset: { clause: clause.id, verdict, level: clause.level } },
      content,
    );
  }

  function notesSection() {
    if (!fleet.notes.length) return null;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title', text: t('evidence.notes') }),
      h(
        'ul',
        { class: 'plain-list' },
        fleet.notes.map((n) => h('li', { text: n })),
      ),
    );
  }

  if (!fleet || !Array.isArray(fleet.devices)) {
    root.replaceChildren(h('p', { class: 'card', text: t('app.noData') }));
    return;
  }
  render();
})();
