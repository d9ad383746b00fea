#!/usr/bin/env node
'use strict';
// The `tributary` command. It runs the TypeScript sources through tsx (a runtime dependency),
// so `npx tributary ...` works straight after `npm install` with no build step.
require('tsx/cjs');
// libuv sizes its thread pool once, at its first use; nothing before this line used it (tsx
// loads synchronously), so the size must be set here, before the broker starts.
if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(require('../src/limits.ts').STORAGE_LIMITS.ioThreadsDefault);
}
// V8's heap growing factor (src/cli/heap-growth.ts): fewer mark-compacts under a stream of large
// requests. Set before the broker allocates anything of note.
try {
  require('../src/cli/heap-growth.ts').applyHeapGrowth();
} catch (err) {
  process.stderr.write(`tributary: ${err.message}\n`);
  process.exit(2);
}
require('../src/cli/main.ts');
