import { type TSchema, Type } from '@sinclair/typebox';
import { KNOWN_REPORTERS, RUN_SETTINGS, type SettingDeclaration } from './run-settings-registry.ts';
import { describeSetting, SECTIONS } from './settings-docs.ts';

// The config file's vocabulary, generated from the settings registry (src/settings/run-settings-registry.ts):
// specs/schema/config.schema.json is written from it (npm run schema), editors complete keys through that
// file, and load-config.ts validates with it.

const SETTINGS: readonly SettingDeclaration[] = RUN_SETTINGS;

function schemaOf(setting: SettingDeclaration): TSchema {
  const description = describeSetting(setting);
  switch (setting.kind) {
    case 'http-url':
      return Type.String({ pattern: '^https?://', description });
    case 'amqp-url':
      return Type.String({ pattern: '^amqps?://', description });
    case 'port':
      return Type.Integer({ minimum: 0, maximum: 65535, description });
    case 'int':
      return Type.Integer({ minimum: setting.min ?? 0, description });
    case 'login-path':
      return Type.String({ pattern: '^/', description });
    case 'profile':
      return Type.Union([Type.Literal('strict'), Type.Literal('lenient')], { default: 'strict', description });
    case 'reporters':
      return Type.Array(Type.Union(KNOWN_REPORTERS.map((r) => Type.Literal(r))), {
        minItems: 1,
        uniqueItems: true,
        description,
      });
    default:
      return Type.String({ minLength: 1, description });
  }
}

/** `sophon-conformance.config.yaml`'s schema: every setting that has a config key, in its section. */
export function configSchema(): TSchema {
  const top: Record<string, TSchema> = { $schema: Type.Optional(Type.String()) };
  const sections: Record<string, Record<string, TSchema>> = {};
  for (const setting of SETTINGS) {
    if (!setting.key) continue;
    const [first, second] = setting.key;
    if (second === undefined) top[first] = Type.Optional(schemaOf(setting));
    else sections[first] = { ...sections[first], [second]: Type.Optional(schemaOf(setting)) };
  }
  for (const [name, properties] of Object.entries(sections)) {
    top[name] = Type.Optional(
      Type.Object(properties, { additionalProperties: false, description: SECTIONS[name] ?? name }),
    );
  }
  return Type.Object(top, { additionalProperties: false, title: 'sophon-conformance config file' });
}

/** `sophon-conformance.config.yaml`: the settings of `run`; a flag or a SOPHON_* variable overrides each. */
export const ConfigSchema = configSchema();

/** A parsed, valid config file: sections of settings, each in its own type. */
export type SophonConfig = Record<string, unknown>;

/** The schema file's name under specs/schema/. */
export const CONFIG_SCHEMA_FILE = 'config.schema.json';
