#!/usr/bin/env node
// The tool runs its TypeScript sources directly (tsx), so an install needs no build step.
import { register } from 'tsx/esm/api';

register();
// Only a run holds a whole suite's results; the reference device and the kill matrix keep V8's speed.
if (process.argv[2] === 'run') (await import('../cli/favour-memory.ts')).favourMemory();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
