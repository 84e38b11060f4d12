// `npm run build` (also run by `npm ci` / `npm install` through `prepare`): compiles src/ to dist/ with tsc
// (tsconfig.build.json), copies the plain-JavaScript files tsc does not emit (worker entries) and the WebAssembly binaries (compiled from
// assembly/ by `npm run build:wasm` and committed), and writes
// dist/.build-stamp. bin/purkinje.js runs dist/ when it is newer than every file in src/, else the sources via tsx;
// the npm package ships dist/ (with src/index.ts compiled to dist/index.js and .d.ts, its entry point), not src/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  // A checkout installed without the development tools (npm ci --omit=dev): no build, and no tsx to run the sources;
  // bin/purkinje.js says so when it is run. (An installed package never builds: npm runs no `prepare` there.)
  process.stderr.write('purkinje: typescript is not installed, so no compiled build: install the development dependencies (npm ci) to build dist/\n');
  process.exit(0);
}
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const copyPlain = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, e.name);
    if (e.isDirectory()) copyPlain(from);
    else if (e.name.endsWith('.mjs') || e.name.endsWith('.wasm')) cpSync(from, path.join(dist, path.relative(src, from)));
  }
};
copyPlain(src);
writeFileSync(path.join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
