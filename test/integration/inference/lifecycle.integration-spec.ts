/**
 * Every transition of the lifecycle table against PostgreSQL (the migrated schema): for each
 * named transition, a row in each of its `from` statuses moves to its `to` status, and a row in
 * every other status is left as it was. The status sets the loops read by select exactly their
 * statuses.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/database/data-source-options';
import { migrateDatabase } from '../../../src/database/migrate';
import { INFERENCE_STATUSES, type InferenceStatus } from '../../../src/inference/inference-status';
import * as lifecycle from '../../../src/inference/lifecycle';
import { TRANSITIONS, statusIn, transition, type TransitionName } from '../../../src/inference/lifecycle';
import { sqlFor, type Sql } from '../../../src/database/sql';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

const bytes32 = (): string => `0x${randomBytes(32).toString('hex')}`;

let database: TestDatabase;
let dataSource: DataSource;
let sql: Sql;
let modelId: string;

/** One row in each status; their ids by status. */
async function oneRowPerStatus(): Promise<Map<InferenceStatus, string>> {
  const rows = await sql<{ id: string; status: InferenceStatus }>(
    `INSERT INTO inferences (request_id, model_id, mode, origin, client_id, input_fixed, input_commitment, status)
     SELECT r, $1, 'OPTIMISTIC', 'API', 'lifecycle-spec', '{1}', r, s
       FROM unnest($2::char(66)[], $3::text[]) AS v(r, s)
     RETURNING id, status`,
    [modelId, INFERENCE_STATUSES.map(bytes32), [...INFERENCE_STATUSES]],
  );
  return new Map(rows.map((row) => [row.status, row.id]));
}

async function statusesOf(ids: readonly string[]): Promise<Map<string, InferenceStatus>> {
  const rows = await sql<{ id: string; status: InferenceStatus }>(
    'SELECT id, status FROM inferences WHERE id = ANY($1::uuid[])',
    [[...ids]],
  );
  return new Map(rows.map((row) => [row.id, row.status]));
}

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateDatabase(database.url);
  dataSource = new DataSource(dataSourceOptions(database.url, 2));
  await dataSource.initialize();
  sql = sqlFor(dataSource);
  [{ id: modelId }] = await sql<{ id: string }>(
    `INSERT INTO models (name, commitment, onnx_sha256, onnx, quantized, ops, parameter_count, input_shape,
                         output_shape, fraction_bits, accuracy)
     VALUES ('lifecycle', $1, $2, '\\x00', '{}', '{}', 0, '{1}', '{1}', 16, '{}') RETURNING id`,
    [bytes32(), randomBytes(32).toString('hex')],
  );
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('the lifecycle in PostgreSQL', () => {
  it('stores exactly the statuses of the lifecycle (the schema CHECK agrees with INFERENCE_STATUSES)', async () => {
    const [{ definition }] = await sql<{ definition: string }>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'inferences_status_check'`,
    );
    const allowed = [...definition.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]);
    expect(allowed.sort()).toEqual([...INFERENCE_STATUSES].sort());
  });

  it.each(Object.keys(TRANSITIONS) as TransitionName[])(
    '%s moves a row in each of its from statuses and no other',
    async (name) => {
      const { from, to } = TRANSITIONS[name];
      const ids = await oneRowPerStatus();
      const changed = await transition(sql, name, {
        set: 'updated_at = now()',
        where: 'id = ANY($1::uuid[])',
        params: [[...ids.values()]],
      });
      expect(changed.map((row) => row.id).sort()).toEqual(from.map((status) => ids.get(status)).sort());
      const after = await statusesOf([...ids.values()]);
      for (const [status, id] of ids) {
        expect([status, after.get(id)]).toEqual([status, (from as readonly string[]).includes(status) ? to : status]);
      }
      const again = await transition(sql, name, { where: 'id = ANY($1::uuid[])', params: [[...ids.values()]] });
      expect(again).toEqual([]);
    },
  );

  it('selects exactly the statuses of each set the loops read', async () => {
    const ids = await oneRowPerStatus();
    const sets = Object.entries(lifecycle as Record<string, unknown>).filter(
      (entry): entry is [string, readonly InferenceStatus[]] =>
        Array.isArray(entry[1]) && (entry[0].startsWith('STATUSES_') || entry[0] === 'UNSETTLED_STATUSES'),
    );
    expect(sets.length).toBeGreaterThanOrEqual(8);
    for (const [name, statuses] of sets) {
      const rows = await sql<{ status: InferenceStatus }>(
        `SELECT status FROM inferences WHERE id = ANY($1::uuid[]) AND ${statusIn('status', statuses)}`,
        [[...ids.values()]],
      );
      expect([name, rows.map((row) => row.status).sort()]).toEqual([name, [...statuses].sort()]);
    }
  });
});
