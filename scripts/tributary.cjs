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
require('../src/cli/main.ts');
