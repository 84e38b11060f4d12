// Worker-thread entry, kept as plain JavaScript so that Node can start it without a loader. Beside the compiled
// build (dist/, where point-worker.js sits next to this file) it loads that; beside the TypeScript sources it
// registers tsx in this thread first.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('./point-worker.js', import.meta.url);
if (existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./point-worker.ts');
}
