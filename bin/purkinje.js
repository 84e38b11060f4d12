#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so no build step stands between a clone and a run.
import { register } from 'tsx/esm/api';

register();
const { main, endQuietlyOnClosedPipe } = await import('../src/cli/main.ts');
endQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
