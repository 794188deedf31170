/**
 * The ways a firmware commonly writes a JSON value into a message (HTTP-5: INVALID_ARGUMENTS carries
 * "无效参数的值", the invalid value, in no pinned format): JSON text, JSON with a space inside an empty
 * container, the bare text of a string, Python's repr (a device whose API is written in Python prints
 * `None`, `True`, `'true'`, `{}`), and JavaScript's String() where it says anything. Empty renderings are
 * left out: every message contains the empty string.
 */
export function renderingsOf(value: unknown): string[] {
  const forms = new Set<string>();
  const json = JSON.stringify(value);
  if (json !== undefined) forms.add(json);
  if (typeof value === 'string') {
    forms.add(value);
    forms.add(`'${value}'`);
  } else if (value === null) {
    forms.add('None');
  } else if (typeof value === 'boolean') {
    forms.add(value ? 'True' : 'False');
  } else if (Array.isArray(value)) {
    if (value.length === 0) forms.add('[ ]');
    forms.add(pythonRepr(value));
  } else if (typeof value === 'object') {
    if (Object.keys(value).length === 0) forms.add('{ }');
    else forms.add(pythonRepr(value));
    forms.add('[object Object]');
  } else {
    forms.add(String(value));
  }
  return [...forms].filter((form) => form.trim() !== '');
}

function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
