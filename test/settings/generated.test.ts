import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_REFERENCE_FILE, cliReferenceText } from '../../cli/cli-reference.ts';
import { packagePath } from '../../src/package-root.ts';
import { buildRunSettings } from '../../src/settings/build-run-settings.ts';
import { configTemplate } from '../../src/settings/config-template.ts';
import { loadConfig } from '../../src/settings/load-config.ts';
import { RUN_SETTINGS } from '../../src/settings/run-settings-registry.ts';
import { settingsUsage } from '../../src/settings/settings-docs.ts';

const runtime = { root: packagePath(), tool: { name: 'sophon-conformance', version: 'test' } };

describe('the settings registry and what is generated from it', () => {
  it("docs/cli.md is what `npm run docs` writes now (the commands' --help and the registry)", () => {
    const committed = readFileSync(packagePath(...CLI_REFERENCE_FILE), 'utf8');
    expect(committed, 'docs/cli.md is stale: run `npm run docs`').toBe(cliReferenceText());
  }, 60_000);

  it('run --help, the reference page and the config template name every setting with its default', () => {
    const usage = settingsUsage();
    const reference = readFileSync(packagePath(...CLI_REFERENCE_FILE), 'utf8');
    for (const setting of RUN_SETTINGS) {
      expect(usage).toContain(`--${setting.flag} `);
      expect(reference).toContain(`--${setting.flag} `);
      if ('env' in setting) expect(reference).toContain(setting.env);
      if ('default' in setting && typeof setting.default !== 'object') {
        expect(usage).toContain(`(default ${setting.default})`);
      }
    }
  });

  it('a fresh config file from the template is valid and changes nothing: every value it sets is the default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-template-'));
    const file = join(dir, 'sophon-conformance.config.yaml');
    writeFileSync(file, configTemplate(file));
    const { config } = loadConfig(file);
    const windows = (config.windows ?? {}) as Record<string, number>;
    const built = buildRunSettings({ target: 'http://127.0.0.1:1' }, runtime);
    expect(windows.downWithin).toBe(built.downWithinMs);
    expect(windows.upWithin).toBe(built.upWithinMs);
    expect(windows.wipeWithin).toBe(built.wipeWithinMs);
    expect(config.systemPort).toBe(built.systemPort);
    expect(config.suite).toBe(built.suite);
  });

  it('builds a run from the registry alone: defaults applied, values in flag form or their own type', () => {
    const defaults = buildRunSettings({ target: 'http://127.0.0.1:5555' }, runtime);
    expect(defaults).toMatchObject({
      systemPort: 8888,
      suite: 'certification',
      profile: 'strict',
      downWithinMs: 30_000,
      upWithinMs: 180_000,
      quietMs: 5_000,
      wipeWithinMs: 180_000,
      caseConcurrency: 4,
      amqp: undefined,
    });
    const typed = buildRunSettings(
      {
        target: 'http://127.0.0.1:5555',
        'down-within': 2_000,
        'quiet-ms': '9000',
        amqp: 'amqp://127.0.0.1',
        license: 'K',
      },
      runtime,
    );
    // The quiet window never outlasts the down window; the command queue follows the license.
    expect(typed.quietMs).toBe(2_000);
    expect(typed.amqp).toMatchObject({ commandQueue: 'queue-dev-K', upQueue: 'upload-queue', replyWithinMs: 10_000 });
    expect(() => buildRunSettings({ target: 'http://127.0.0.1:5555', 'down-within': 'soon' }, runtime)).toThrow(
      /--down-within soon: want a whole number/,
    );
    expect(() => buildRunSettings({}, runtime)).toThrow(/--target is required/);
  });

  it("the README's table of the main flags states each default as the registry holds it", () => {
    const readme = readFileSync(packagePath('README.md'), 'utf8');
    const rows = readme.split('\n').filter((line) => line.startsWith('| `--'));
    expect(rows.length, "the README's flag table").toBeGreaterThan(5);
    let compared = 0;
    for (const row of rows) {
      const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim());
      const flags = [...(cells[1] ?? '').matchAll(/`--([a-z-]+)/g)].map((m) => m[1]);
      const stated = (cells[3] ?? '').split(' / ').map((text) => text.replaceAll('`', '').trim());
      flags.forEach((flag, i) => {
        const setting = RUN_SETTINGS.find((s) => s.flag === flag);
        if (!setting) return; // --config is read before the registry's settings
        const own = 'default' in setting && typeof setting.default !== 'object' ? String(setting.default) : undefined;
        const expected = own ?? ('defaultText' in setting ? setting.defaultText : undefined);
        if (expected === undefined) return;
        expect(stated[i], `README: the default of --${flag}`).toBe(expected);
        compared++;
      });
    }
    expect(compared, 'defaults compared').toBeGreaterThan(3);
  });
});
