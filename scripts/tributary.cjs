#!/usr/bin/env node
'use strict';
// The `tributary` command. It runs the TypeScript sources through tsx (a runtime dependency),
// so `npx tributary ...` works straight after `npm ci` with no build step.
require('tsx/cjs');
require('../src/cli/main.ts');
