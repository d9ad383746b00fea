'use strict';
// The package entry (`require('tributary')`): the TypeScript sources run through tsx, a runtime
// dependency, exactly as the `tributary` command does, so no build step is needed.
require('tsx/cjs');
module.exports = require('../src/index.ts');
