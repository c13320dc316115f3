import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { invariant } from '../common/invariant';
import { returnedRows } from '../common/sql-rows';

/** Runs one parameterized statement and returns its rows (RETURNING rows for writes). */
export type Sql = <T = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<T[]>;

function sqlOn(runner: QueryRunner): Sql {
  return async <T>(text: string, params: readonly unknown[] = []) => {
    const result = await runner.query(text, [...params], true);
    return (result.records ?? []) as T[];
  };
}

/** One statement outside a transaction. */
export async function query<T = Record<string, unknown>>(
  dataSource: DataSource,
  text: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    return await sqlOn(runner)<T>(text, params);
  } finally {
    await runner.release();
  }
}

/** `work` in one transaction: committed when it resolves, rolled back when it throws. */
export async function transaction<T>(dataSource: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    invariant(manager.queryRunner, 'a transaction has a query runner');
    return work(sqlOn(manager.queryRunner));
  });
}

/** A `Sql` on an EntityManager: in its transaction when it is a transaction's manager. */
export function sqlOnManager(manager: EntityManager): Sql {
  return async <T>(text: string, params: readonly unknown[] = []) =>
    returnedRows<T>(await manager.query(text, [...params]));
}

/** A `Sql` that runs each statement on its own (no transaction). */
export function sqlFor(dataSource: DataSource): Sql {
  return <T>(text: string, params: readonly unknown[] = []) => query<T>(dataSource, text, params);
}
