import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { findStatusLiterals } from '../../../scripts/status-literal-check';

const ROOT = join(__dirname, '..', '..', '..');
/** Where status literals belong: this module, and the migrations (the schema's CHECK and indexes). */
const OWNERS = ['src/inference/lifecycle/', 'src/database/migrations/'];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourcesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('status literals in SQL', () => {
  it('are written only by the lifecycle module', () => {
    const files = sourcesUnder(join(ROOT, 'src'))
      .map((path) => relative(ROOT, path).split(sep).join('/'))
      .filter((file) => !OWNERS.some((owner) => file.startsWith(owner)));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => findStatusLiterals(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(found.map((hit) => `${hit.file}:${hit.line} (${hit.kind}) ${hit.text}`)).toEqual([]);
  });

  it('are found in a query, a parameter or a status property', () => {
    const sample = [
      "await sql(`UPDATE inferences SET status = 'FINAL' WHERE id = $1`, [id]);",
      "await query(ds, 'SELECT id FROM inferences WHERE status IN (\\'COMMITTED\\', \\'DISPUTED\\')');",
      "await sql(`SELECT id FROM inferences i WHERE ${cond} AND i.status <> 'FAILED'`);",
      "await sql('INSERT INTO inferences (id, status) VALUES ($1, $2)', [id, valid ? 'REQUESTED' : 'FAILED']);",
      "const row = { id, status: 'REQUESTED' as const };",
    ].join('\n');
    expect(findStatusLiterals('src/x/sample.ts', sample).map((hit) => [hit.line, hit.kind])).toEqual([
      [1, 'quoted'],
      [2, 'quoted'],
      [3, 'quoted'],
      [4, 'parameter'],
      [4, 'parameter'],
      [5, 'property'],
    ]);
  });

  it('leaves statuses that are not SQL, and statuses built by the lifecycle module, alone', () => {
    const sample = [
      "if (job.status !== 'ASSIGNED') throw new Error('not held');",
      "type Status = 'FINAL' | 'FAILED';",
      "log.warn(`request ${id} is FINAL`);",
      "await sql(`UPDATE inferences SET x = 1 WHERE ${statusIn('status', STATUSES_PROVING)}`, [id]);",
      "await sql('SELECT id FROM result_batches WHERE status = $1', [BATCH_COMMITTED]);",
      "await sql(`SELECT id FROM models WHERE chain_status = 'PENDING'`);",
      "const fixture = { status: 'FINAL' };",
    ].join('\n');
    expect(findStatusLiterals('src/x/sample.ts', sample.split('\n').slice(0, 6).join('\n'))).toEqual([]);
    expect(findStatusLiterals('src/x/sample.spec.ts', sample)).toEqual([]);
    expect(findStatusLiterals('src/x/sample.ts', sample)).toHaveLength(1);
  });
});
