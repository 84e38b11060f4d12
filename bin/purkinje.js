#!/usr/bin/env node
// The purkinje command. Signal handlers come first, before anything slow is loaded, so that a Ctrl-C or SIGTERM
// during start-up is not lost: the first one stops a run at its next chunk (it writes what it simulated, marked
// interrupted) or ends any other command at once; a second one ends the process at once. Exit codes: 130 (SIGINT),
// 143 (SIGTERM).
const controller = new AbortController();
const codes = { SIGINT: 130, SIGTERM: 143 };
let received = null;
let holders = 0;
let started = false;
const onSignal = (signal) => {
  if (received !== null || (started && holders === 0)) {
    process.exitCode = codes[signal];
    process.exit();
  }
  received = signal;
  controller.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const interrupt = {
  signal: controller.signal,
  hold() {
    holders++;
    let held = true;
    return () => {
      if (held) holders--;
      held = false;
    };
  },
  code: () => (received === null ? null : codes[received]),
};

// Runs the compiled build (dist/, made by `npm ci` through `prepare`, or `npm run build`) when it is newer than every
// source file; otherwise the TypeScript sources through tsx's loader, so an edited source is never run stale and no
// build step stands between a clone and a run. PURKINJE_FROM_SOURCES=1 forces the sources.
const { existsSync, readdirSync, statSync } = await import('node:fs');
const here = new URL('..', import.meta.url);
const stamp = new URL('dist/.build-stamp', here);
const newestSource = (dir) => {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
};
const compiled = process.env.PURKINJE_FROM_SOURCES !== '1' && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(new URL('src/', here));
let cli;
if (compiled) cli = await import(new URL('dist/cli/main.js', here).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
const { main, endQuietlyOnClosedPipe } = cli;
endQuietlyOnClosedPipe();
started = true;
if (received !== null && process.argv[2] !== 'run' && process.argv[2] !== 'serve') process.exit(codes[received]);
process.exitCode = await main(process.argv.slice(2), undefined, interrupt, compiled ? 'compiled' : 'sources');
