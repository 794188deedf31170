#!/usr/bin/env node
// The tool runs its TypeScript sources directly (tsx), so an install needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
