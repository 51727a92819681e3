#!/usr/bin/env node
/**
 * `abstractions-codegen` executable (package.json "bin"). In a checkout (the TypeScript sources
 * next to this file and tsx installed) it runs the sources, so a stale build in dist/ is never
 * used; in the published package (no sources) it runs the compiled CLI, dist/codegen/cli.js.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * ts-morph (with the TypeScript it bundles) is an optional peer dependency: applications that only
 * run the library do not install it. Without it, one line says how to, and the exit status is 2.
 */
function requireTsMorph() {
  try {
    require.resolve('ts-morph');
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err; // installed, but broken: its own error says how
    const range = require('../package.json').peerDependencies['ts-morph'];
    process.stderr.write(
      `abstractions-codegen: needs ts-morph, an optional peer dependency of abstractions-ts that is not installed: npm install --save-dev "ts-morph@${range}"\n`,
    );
    process.exit(2);
  }
}

function loadCli() {
  const source = path.join(__dirname, 'cli.ts');
  const compiled = path.join(__dirname, '..', 'dist', 'codegen', 'cli.js');
  if (fs.existsSync(source)) {
    let tsx = null;
    try {
      tsx = require('tsx/cjs/api');
    } catch {
      // tsx is a dev dependency: without it, the compiled CLI below
    }
    if (tsx) return tsx.require('./cli.ts', __filename);
  }
  if (fs.existsSync(compiled)) return require(compiled);
  process.stderr.write(
    'abstractions-codegen: the CLI is not compiled (dist/codegen/cli.js) and tsx is not installed to run its sources\n',
  );
  process.exit(2);
}

requireTsMorph();
loadCli()
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`abstractions-codegen: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
