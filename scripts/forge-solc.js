#!/usr/bin/env node
/**
 * solc for forge, offline: forge cannot download a native solc here, so foundry.toml points its
 * `solc` at this script. It answers `--version` the way native solc does and compiles any other
 * call (forge sends `--standard-json` plus path flags, input on stdin) with the `solc` npm package
 * (solc-js, the same compiler scripts/contracts-build.ts uses), resolving imports from disk.
 * Path flags (--base-path, --include-path, --allow-paths) are read only to resolve imports.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { isAbsolute, join, resolve } = require('node:path');

const args = process.argv.slice(2);

function loadSolc() {
  return require('solc');
}

if (args.includes('--version') || args.includes('-v')) {
  const version = loadSolc().version().replace(/\.Emscripten\.clang$/, '.Linux.g++');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${version}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write(`forge-solc: only --version and --standard-json are supported (got: ${args.join(' ')})\n`);
  process.exit(2);
}

function flagValues(name) {
  const values = [];
  args.forEach((arg, i) => {
    if (arg === name && args[i + 1]) values.push(...args[i + 1].split(','));
    else if (arg.startsWith(`${name}=`)) values.push(...arg.slice(name.length + 1).split(','));
  });
  return values;
}

const roots = [...flagValues('--base-path'), ...flagValues('--include-path'), process.cwd()];

function findImports(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((root) => join(resolve(root), path));
  for (const candidate of candidates) {
    try {
      return { contents: readFileSync(candidate, 'utf8') };
    } catch {
      // try the next root
    }
  }
  return { error: `forge-solc: ${path} not found under ${roots.join(', ')}` };
}

const input = readFileSync(0, 'utf8');
process.stdout.write(loadSolc().compile(input, { import: findImports }));
