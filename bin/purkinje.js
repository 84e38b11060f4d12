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

// Which code runs. An installed package (npm install purkinje) has dist/ and no src/: it runs dist/, compiled
// JavaScript, with no loader. A checkout runs the compiled build (dist/, made by `npm ci` through `prepare`, or
// `npm run build`) when it is newer than every source file; otherwise the TypeScript sources through tsx's loader (a
// development dependency), so an edited source is never run stale and no build step stands between a clone and a run.
// PURKINJE_FROM_SOURCES=1 forces the sources.
const { existsSync, readdirSync, statSync } = await import('node:fs');
const here = new URL('..', import.meta.url);
const sources = new URL('src/', here);
const stamp = new URL('dist/.build-stamp', here);
const newestSource = (dir) => {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
};
const fail = (message) => {
  process.stderr.write(`purkinje: ${message}\n`);
  process.exit(1);
};
const checkout = existsSync(sources);
const compiled = checkout
  ? process.env.PURKINJE_FROM_SOURCES !== '1' && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(sources)
  : true;
let cli;
if (compiled) {
  const entry = new URL('dist/cli/main.js', here);
  if (!existsSync(entry)) fail(`${entry.pathname} is missing: this installation of purkinje is incomplete (reinstall it)`);
  cli = await import(entry.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    const why = process.env.PURKINJE_FROM_SOURCES === '1' ? 'PURKINJE_FROM_SOURCES=1 asks for the TypeScript sources' : 'dist/ is missing or older than src/';
    fail(`${why}, and tsx (a development dependency) is not installed to run them: run \`npm run build\`, or \`npm ci\` for the development tools`);
  }
  register();
  cli = await import('../src/cli/main.ts');
}
const { main, endQuietlyOnClosedPipe } = cli;
endQuietlyOnClosedPipe();
started = true;
if (received !== null && process.argv[2] !== 'run' && process.argv[2] !== 'serve') process.exit(codes[received]);
process.exitCode = await main(process.argv.slice(2), undefined, interrupt, compiled ? 'compiled' : 'sources');
