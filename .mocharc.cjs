'use strict';
// One mocha run for the whole suite: `npm test`. TypeScript runs from source through tsx.
module.exports = {
  spec: ['test/**/*.test.ts'],
  'node-option': ['import=tsx'],
  reporter: 'test/support/summary-reporter.cjs',
  timeout: 30000,
  // Servers and clients started by tests are closed in after() hooks; `exit` is the backstop
  // so a leaked etcd3 keepalive or socket can never hang CI.
  exit: true,
};
