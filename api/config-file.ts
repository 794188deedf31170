// The config file `init` writes and `run` reads (src/settings): its default name and its commented template.
export { configTemplate } from '../src/settings/config-template.ts';
export { DEFAULT_CONFIG_FILE } from '../src/settings/load-config.ts';
