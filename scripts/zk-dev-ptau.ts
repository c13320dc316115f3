/**
 * Creates (or finds) the development powers of tau in the zk cache.
 *
 *   ts-node --transpile-only scripts/zk-dev-ptau.ts --power 15 [--cache-dir D] [--from FILE]
 *
 * `--from FILE` first copies a prepared ptau generated elsewhere into the cache (under its own
 * power). A development ptau has a single contributor and is for development only.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { adoptPtau, ensureDevPtau, readPtauInfo } from '../src/zk/ptau';

const DEFAULT_CACHE_DIR = join(homedir(), '.cache', 'verity', 'zk');

async function main(): Promise<void> {
  const options = new Command()
    .name('zk-dev-ptau')
    .description('create or reuse a development powers-of-tau file (single party: NOT for production)')
    .option('--power <n>', 'ptau power (circuits up to 2^n constraints)', '15')
    .option('--cache-dir <dir>', 'zk cache directory', DEFAULT_CACHE_DIR)
    .option('--from <file>', 'adopt this prepared ptau into the cache first')
    .parse()
    .opts<{ power: string; cacheDir: string; from?: string }>();
  const power = Number(options.power);
  const log = { warn: (message: string) => console.warn(`\n${message}\n`) };
  if (options.from) {
    const adopted = adoptPtau(options.from, options.cacheDir);
    console.log(`adopted ${options.from} as ${adopted.path} (power ${adopted.power})`);
  }
  const path = await ensureDevPtau({
    power,
    cacheDir: options.cacheDir,
    log,
    onProgress: (stage, detail) => {
      if (!detail.startsWith('!!!')) console.log(`[${stage}] ${detail}`);
    },
  });
  const info = readPtauInfo(path);
  console.log(`${path}: power ${info.power}, prepared for phase 2: ${info.prepared}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
