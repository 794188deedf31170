#!/usr/bin/env node
// Runs the compiled code in dist/: built by `npm run build`, which `npm ci` runs in a clone (the `prepare`
// script) and which the package ships.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/', import.meta.url);
if (!existsSync(new URL('main.js', dist))) {
  process.stderr.write('sophon-conformance: dist/ is missing: run `npm run build` (npm ci runs it) first\n');
  process.exitCode = 2;
} else {
  // Only a run holds a whole suite's results; the reference device and the kill matrix keep V8's speed.
  if (process.argv[2] === 'run') (await import(new URL('favour-memory.js', dist).href)).favourMemory();
  const { main } = await import(new URL('main.js', dist).href);
  process.exitCode = await main(process.argv.slice(2));
}
