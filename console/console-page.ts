// The console's one page: the lab's devices, the runs, and a run followed live. Self-contained (no asset, no
// network but this server's API); every value from the API is put in with textContent, never as HTML.

const STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#6e7781}
body{font:15px/1.45 system-ui,sans-serif;margin:0;padding:1rem 1.5rem;max-width:80rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #8884}
button{font:inherit;padding:.2rem .7rem;cursor:pointer}
.gate-PASS,.v-pass{color:var(--ok);font-weight:600}.gate-FAIL,.v-fail{color:var(--bad);font-weight:600}
.gate-INCOMPLETE,.gate-ERROR,.v-could-not-test,.v-warn{color:var(--warn);font-weight:600}
.muted{color:var(--muted)}#live{border:1px solid #8886;border-radius:6px;padding:.8rem;margin-top:.5rem}
#status{font:14px ui-monospace,monospace;white-space:pre-wrap}#results{max-height:24rem;overflow:auto;padding-left:0;list-style:none}
form.start{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;margin:.6rem 0}label{display:flex;flex-direction:column;font-size:.85rem}
input,select{font:inherit;padding:.2rem}`;

const SCRIPT = `
const $ = (s) => document.querySelector(s);
const api = async (path, init) => {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...(init && init.headers) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.message) || response.statusText);
  return body;
};
const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text ?? ''; if (cls) td.className = cls; return td; };
const clock = (ms) => { const s = Math.round((ms || 0) / 1000); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); };
let source;
let watching;

async function loadDevices() {
  const devices = await api('/api/devices');
  const body = $('#devices tbody'); body.replaceChildren();
  const select = $('#device'); const chosen = select.value; select.replaceChildren();
  for (const d of devices) {
    const tr = document.createElement('tr'); tr.dataset.device = d.name;
    tr.append(cell(d.name), cell(d.target), cell(d.reachable ? 'reachable' : 'unreachable' + (d.error ? ': ' + d.error : ''), d.reachable ? 'v-pass' : 'v-fail'),
      cell(d.firmware ? (d.firmware.app_version_details || d.firmware.app_gate_version || JSON.stringify(d.firmware)) : '—'),
      cell(d.mq ? 'MQ ' + d.broker : 'HTTP only'),
      cell(d.lastRun ? (d.lastRun.gate || d.lastRun.state) : '—', d.lastRun && d.lastRun.gate ? 'gate-' + d.lastRun.gate : ''));
    body.append(tr);
    const option = document.createElement('option'); option.value = d.name; option.textContent = d.name; select.append(option);
  }
  if (chosen) select.value = chosen;
}

async function loadRuns() {
  const runs = await api('/api/runs');
  const body = $('#runs tbody'); body.replaceChildren();
  for (const r of runs) {
    const tr = document.createElement('tr'); tr.dataset.run = r.id;
    const actions = document.createElement('td');
    const button = (label, action) => { const b = document.createElement('button'); b.textContent = label; b.dataset.action = label.toLowerCase(); b.onclick = action; actions.append(b, ' '); };
    button('Watch', () => watch(r.id));
    if (r.state === 'running') button('Stop', () => act(r.id, 'stop'));
    if (r.state === 'interrupted') button('Resume', () => act(r.id, 'resume'));
    if (r.reportUrl) { const a = document.createElement('a'); a.href = r.reportUrl; a.textContent = 'Report'; a.className = 'report-link'; actions.append(a); }
    tr.append(cell(r.id), cell(r.device), cell(r.state), cell(r.gate || '—', r.gate ? 'gate-' + r.gate : ''), cell(r.startedBy, 'muted'), actions);
    body.append(tr);
  }
}

async function act(id, action) {
  try { await api('/api/runs/' + encodeURIComponent(id) + '/' + action, { method: 'POST', body: '{}' }); }
  catch (error) { alert(error.message); }
  await loadRuns();
  if (action === 'resume') watch(id);
}

function watch(id) {
  if (source) source.close();
  watching = id;
  $('#live').hidden = false; $('#live-title').textContent = 'Run ' + id;
  $('#results').replaceChildren(); $('#status').textContent = 'connecting…'; $('#live-gate').textContent = '';
  source = new EventSource('/api/runs/' + encodeURIComponent(id) + '/events');
  source.addEventListener('status', (e) => {
    const s = JSON.parse(e.data).status;
    const phase = s.phase ? ' · ' + s.phase + (s.windowMs ? ' (window ' + Math.round(s.windowMs / 1000) + ' s)' : '') : '';
    const left = s.leftMs === undefined || s.leftMs === null ? 'estimating' : '~' + clock(s.leftMs) + ' left';
    $('#status').textContent = '[' + s.done + '/' + s.total + '] ' + clock(s.elapsedMs) + ' · ' + left + '\\n' + (s.caseId || '') + phase;
    $('#status').dataset.updates = String(Number($('#status').dataset.updates || 0) + 1);
  });
  source.addEventListener('result', (e) => {
    const r = JSON.parse(e.data);
    const li = document.createElement('li'); li.dataset.verdict = r.verdict;
    const v = document.createElement('span'); v.className = 'v-' + r.verdict; v.textContent = r.verdict.toUpperCase();
    li.append(v, ' ' + r.id + ' — ' + r.message);
    $('#results').prepend(li);
  });
  source.addEventListener('end', (e) => {
    const end = JSON.parse(e.data);
    const gate = { 0: 'PASS', 1: 'FAIL', 2: 'ERROR', 3: 'INCOMPLETE' }[end.exitCode] || 'exit ' + end.exitCode;
    $('#live-gate').textContent = 'Gate: ' + gate + (end.complete ? '' : ' (partial: resume it from the runs list)');
    $('#live-gate').className = 'gate-' + gate;
    const links = document.createElement('p'); links.id = 'live-links';
    const report = document.createElement('a'); report.href = '/runs/' + encodeURIComponent(watching) + '/'; report.textContent = 'its report';
    const builds = document.createElement('a'); builds.href = '/builds'; builds.textContent = "the builds' status and history (ledger)";
    links.append(report, ' · ', builds); $('#live-links')?.remove(); $('#live').append(links);
    source.close(); loadRuns(); loadDevices();
  });
}

$('#start').addEventListener('submit', async (event) => {
  event.preventDefault();
  const device = $('#device').value; const suite = $('#suite').value;
  const wipes = suite !== 'smoke';
  if (wipes && !confirm('The ' + suite + ' suite WIPES ' + device + ' (identities, faces, records, settings) and reboots it many times. Start it?')) return;
  const body = { device, suite, profile: $('#profile').value };
  const only = $('#only').value.trim(); if (only) body.only = only.split(/[\\s,]+/);
  try { const run = await api('/api/runs', { method: 'POST', body: JSON.stringify(body) }); await loadRuns(); watch(run.id); }
  catch (error) { alert(error.message); }
});
loadDevices().catch((e) => ($('#problem').textContent = e.message));
loadRuns().catch((e) => ($('#problem').textContent = e.message));
setInterval(() => { loadRuns().catch(() => {}); }, 5000);
`;

/** The console page: devices, a start form, runs, and the run being watched. */
export function consolePage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sophon-conformance · lab console</title><style>${STYLE}</style></head><body>
<h1>sophon-conformance · lab console</h1><p id="problem" role="alert" class="v-fail"></p>
<h2>Devices</h2>
<table id="devices"><thead><tr><th>device</th><th>target</th><th>now</th><th>firmware</th><th>channel</th><th>last gate</th></tr></thead><tbody></tbody></table>
<form id="start" class="start">
<label>Device <select id="device"></select></label>
<label>Suite <select id="suite"><option>certification</option><option>smoke</option><option>http</option><option>amqp</option></select></label>
<label>Profile <select id="profile"><option>strict</option><option>lenient</option></select></label>
<label>Only (case globs) <input id="only" placeholder="http.wipedata.**"></label>
<button type="submit" id="run-button">Run…</button></form>
<section id="live" hidden><h2 id="live-title"></h2><div id="status"></div><p id="live-gate"></p><ul id="results"></ul></section>
<h2>Runs</h2>
<table id="runs"><thead><tr><th>run</th><th>device</th><th>state</th><th>gate</th><th>started by</th><th></th></tr></thead><tbody></tbody></table>
<p class="muted">REST API: <a href="/api/openapi.json">/api/openapi.json</a> · past reports: <a href="/">/</a> · builds in the ledger: <a href="/builds">/builds</a></p>
<script>${SCRIPT}</script></body></html>`;
}
