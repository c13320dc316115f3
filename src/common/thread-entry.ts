import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How to start a worker thread on `<dir>/<name>`: the .ts source through ts-node when this code
 * runs from TypeScript (ts-node, jest), the compiled .js otherwise. `dir` is the caller's
 * `__dirname` (a directory two levels under the repository root, e.g. src/zk).
 */
export function threadEntryIn(dir: string, name: string): { path: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  if (!__filename.endsWith('.ts')) return { path: join(dir, `${name}.js`), execArgv: [], env: process.env };
  const project = join(__dirname, '..', '..', 'tsconfig.json');
  return {
    path: join(dir, `${name}.ts`),
    execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
    env: existsSync(project) ? { ...process.env, TS_NODE_PROJECT: project } : process.env,
  };
}
