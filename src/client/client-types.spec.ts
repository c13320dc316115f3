import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('src/client/generated/graphql.ts', () => {
  it('is what graphql-codegen makes of schema.graphql and the operations (run `npm run client:types`)', () => {
    const generated = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'scripts', 'client-types.ts'), '--stdout'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(generated.stderr).toBe('');
    expect(generated.status).toBe(0);
    expect(readFileSync(join(ROOT, 'src', 'client', 'generated', 'graphql.ts'), 'utf8')).toBe(generated.stdout);
  });
});
