#!/usr/bin/env node
'use strict';
/**
 * The `verity` command (package.json "bin"). Runs the compiled command line (dist/, from `npm run
 * build`) when there is one, and otherwise the TypeScript sources through ts-node (transpile
 * only), so that `npx verity` works right after `npm ci` with no build step. The contracts' typed
 * ABIs (src/chain/generated, not committed) are compiled first when they are missing.
 */
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const COMPILED = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function fromSources() {
  let tsNode;
  try {
    tsNode = require.resolve('ts-node/register/transpile-only');
  } catch {
    process.stderr.write('verity: no build in dist/ and no ts-node to run the sources: run `npm ci` (with dev dependencies) or `npm run build`\n');
    process.exit(1);
  }
  if (!existsSync(join(ROOT, 'src', 'chain', 'generated', 'contracts.ts'))) {
    process.stderr.write('verity: compiling the contracts first (src/chain/generated is missing)\n');
    // Its progress goes to stderr: stdout stays the command's own (--json output, help).
    const build = spawnSync(process.execPath, ['-r', tsNode, join(ROOT, 'scripts', 'contracts-build.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 2, 2],
    });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  require('ts-node').register({ transpileOnly: true, project: join(ROOT, 'tsconfig.json') });
  return join(ROOT, 'src', 'cli', 'main.ts');
}

require(existsSync(COMPILED) ? COMPILED : fromSources()).main();
