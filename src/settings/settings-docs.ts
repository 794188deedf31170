import { KNOWN_REPORTERS, RUN_SETTINGS, type SettingDeclaration } from './run-settings-registry.ts';

// Everything written about the settings is generated from the registry: the help of `run`, the config file's
// schema and template, and the settings table of docs/cli.md. test/settings/generated.test.ts fails when a
// generated file falls behind.

const SETTINGS: readonly SettingDeclaration[] = RUN_SETTINGS;
const HELP_COLUMN = 26;
const HELP_WIDTH = 112;

/** The config file's sections: settings whose key has two parts sit in one. */
export const SECTIONS: Record<string, string> = {
  amqp: 'The MQ command channel; without url only HTTP cases run.',
  callback: 'The notify_path receiver (MQ-6), and the login endpoint it can also serve.',
  windows: 'Time windows of the reboot watch and the replies, in milliseconds (docs/real-hardware.md).',
};

/** The default as a reader writes it: `30000`, `all`, `queue-dev-<license>`. */
export function defaultText(setting: SettingDeclaration): string | undefined {
  if (setting.defaultText !== undefined) return setting.defaultText;
  if (setting.default === undefined) return undefined;
  return Array.isArray(setting.default) ? setting.default.join(',') : String(setting.default);
}

/** The settings' lines of `run --help`, in the registry's order. */
export function settingsUsage(): string {
  const lines: string[] = [];
  for (const setting of SETTINGS) {
    const head = `  --${setting.flag} ${setting.value}`;
    const fallback = defaultText(setting);
    const help = [...setting.help];
    if (fallback !== undefined) {
      const last = `${help[help.length - 1]} (default ${fallback})`;
      // The default goes on a line of its own rather than past the help's width.
      if (HELP_COLUMN + last.length <= HELP_WIDTH) help[help.length - 1] = last;
      else help.push(`(default ${fallback})`);
    }
    help.forEach((text, i) => {
      if (i > 0) lines.push(`${' '.repeat(HELP_COLUMN)}${text}`);
      else if (head.length < HELP_COLUMN) lines.push(`${head.padEnd(HELP_COLUMN)}${text}`);
      else lines.push(head, `${' '.repeat(HELP_COLUMN)}${text}`);
    });
  }
  return lines.join('\n');
}

/** One line describing a setting in the schema and the reference page. */
export function describeSetting(setting: SettingDeclaration): string {
  const fallback = defaultText(setting);
  const unit = setting.unit === 'ms' ? ', in milliseconds' : '';
  return `${setting.help.join(' ')}${unit}${fallback !== undefined ? ` (default ${fallback})` : ''} (--${setting.flag}).`;
}

/**
 * The commented config file `init` writes. Every value set in it is the default, so a fresh file changes
 * nothing until it is edited; settings without a default, the MQ channel's and lists stay commented out.
 */
export function configTemplateText(schemaRef: string): string {
  const lines = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '# sophon-conformance settings for `sophon-conformance run`. Precedence: a flag beats a SOPHON_*',
    '# environment variable, which beats this file, which beats the defaults. Relative paths are relative to',
    "# this file's folder. `sophon-conformance run --help` explains each setting; docs/cli.md lists them all.",
    '',
    '# The device under test. DESTRUCTIVE: the certification suite wipes and reboots it many times.',
  ];
  const written = new Set<string>();
  for (const setting of SETTINGS) {
    if (!setting.key) continue;
    const [first, second] = setting.key;
    if (second === undefined) {
      lines.push(templateLine(setting, first, ''));
      continue;
    }
    if (written.has(first)) continue;
    written.add(first);
    const members = SETTINGS.filter((s) => s.key?.[0] === first && s.key.length === 2);
    const live = members.some((s) => setValue(s) !== undefined);
    lines.push('', `# ${SECTIONS[first] ?? first}`, `${live ? '' : '# '}${first}:`);
    for (const member of members) lines.push(templateLine(member, member.key?.[1] ?? '', live ? '  ' : '#   '));
  }
  return `${lines.join('\n')}\n`;
}

// The value a fresh config file sets: the plain default of a setting outside the MQ channel's own section.
function setValue(setting: SettingDeclaration): string | undefined {
  if (setting.default === undefined || Array.isArray(setting.default)) return undefined;
  if (setting.key?.[0] === 'amqp' || setting.key?.[0] === 'callback') return undefined;
  return String(setting.default);
}

function templateLine(setting: SettingDeclaration, key: string, indent: string): string {
  const value = setValue(setting);
  const example = value ?? exampleOf(setting);
  const text = `${indent}${value === undefined && !indent.startsWith('#') ? '# ' : ''}${key}: ${example}`;
  return `${text.padEnd(34)}# ${setting.help[0]}${setting.unit ? ` (${setting.unit})` : ''}`;
}

function exampleOf(setting: SettingDeclaration): string {
  const fallback = defaultText(setting);
  switch (setting.kind) {
    case 'http-url':
      return 'http://192.168.1.20:5555';
    case 'amqp-url':
      return 'amqp://user:pass@broker.lab:5672/vhost';
    case 'reporters':
      return `[${KNOWN_REPORTERS.join(', ')}]`;
    case 'login-path':
      return '/api/device/login';
    case 'port':
      return '9010';
    case 'path':
      return `./${setting.flag}.yaml`;
    default:
      return fallback ?? setting.value;
  }
}

/** The settings table of docs/cli.md. */
export function settingsReference(): string {
  const rows = SETTINGS.map((s) => {
    const fallback = defaultText(s) ?? '—';
    const key = s.key ? `\`${s.key.join('.')}\`` : '—';
    const env = s.env ? `\`${s.env}\`` : '—';
    const unit = s.unit ?? '';
    return `| \`--${s.flag} ${s.value.replaceAll('|', '\\|')}\` | ${env} | ${key} | ${fallback.replaceAll('|', '\\|')}${unit && fallback !== '—' ? ` ${unit}` : ''} | ${s.help.join(' ').replaceAll('|', '\\|')} |`;
  });
  return ['| flag | environment | config key | default | what it sets |', '|---|---|---|---|---|', ...rows].join('\n');
}
