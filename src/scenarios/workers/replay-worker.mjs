// Worker-thread entry: registers tsx (the package runs its TypeScript sources directly) in this thread, then loads
// the worker. Kept as plain JavaScript so that Node can start it without a loader.
import { register } from 'tsx/esm/api';

register();
await import('./replay-worker.ts');
