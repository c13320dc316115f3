/**
 * Development powers of tau written from their secrets (src/zk/dev-ptau.ts): wall time, file size
 * and the main thread's peak RSS per power, with a `snarkjs powersoftau verify` of the smallest one.
 * Prints a table; asserts nothing.
 *
 *   npx ts-node --transpile-only bench/dev-ptau.bench.ts [--powers 12,15,16]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDevPtau } from '../src/zk/dev-ptau';
import { collectingLogger, snarkjs, withCurve } from '../src/zk/snarkjs';

function powersArg(): number[] {
  const at = process.argv.indexOf('--powers');
  const list = at >= 0 ? process.argv[at + 1] : '12,15,16';
  return list.split(',').map(Number);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'verity-dev-ptau-bench-'));
  const rows: string[] = [];
  try {
    for (const power of powersArg()) {
      const path = join(dir, `dev-${power}.ptau`);
      const started = Date.now();
      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
      await withCurve(() => writeDevPtau({ power, path }));
      clearInterval(sampler);
      const seconds = (Date.now() - started) / 1000;
      let verified = 'not run';
      if (power <= 12) {
        const verifyStart = Date.now();
        const ok = await withCurve(() => snarkjs.powersOfTau.verify(path, collectingLogger()));
        verified = `${ok ? 'ok' : 'FAILED'} in ${((Date.now() - verifyStart) / 1000).toFixed(1)} s`;
      }
      const mb = (statSync(path).size / 2 ** 20).toFixed(1);
      rows.push(`| ${power} | ${seconds.toFixed(1)} | ${mb} | ${Math.round(peak / 2 ** 20)} | ${verified} |`);
      rmSync(path);
      process.stderr.write(`power ${power}: ${seconds.toFixed(1)} s\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n| power | write s | file MB | main-thread peak RSS MB | snarkjs powersoftau verify |');
  console.log('| ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) console.log(row);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
