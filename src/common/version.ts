import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest package.json above this file (src/ when run with ts-node, dist/src/ when built). */
function findPackageJson(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'package.json');
}

export const VERITY_VERSION: string = (
  JSON.parse(readFileSync(findPackageJson(__dirname), 'utf8')) as { version: string }
).version;
