/**
 * The SQL of the lifecycle: every status change is `transition()`, every status filter
 * `statusIn()`. Both render the statuses from the table as SQL literals, checked against
 * INFERENCE_STATUSES, so the statements are the ones the services wrote by hand before (partial
 * indexes such as `WHERE status = 'ASSIGNED'` still match) and a caller keeps its own `$1..$n`.
 */
import type { Sql } from '../../database/sql';
import { InferenceError } from '../inference.errors';
import { invariant } from '../../common/invariant';
import { isInferenceStatus, type InferenceStatus } from '../inference-status';
import { TRANSITIONS, type TransitionName } from './lifecycle-transitions';

export interface TransitionStatement {
  /** The rows it applies to, ANDed after the status guard, in the caller's `$1..$n`. */
  where: string;
  params?: readonly unknown[];
  /** Assignments after `status = <to>` (updated_at is not set for you). */
  set?: string;
  /** The table's alias in `where`, `set` and `returning` (`UPDATE inferences AS i`). */
  alias?: string;
  /** Other tables the statement reads (`UPDATE ... FROM <using>`). */
  using?: string;
  /**
   * Common table expressions before the UPDATE (`WITH <with> UPDATE ...`), e.g. a MATERIALIZED
   * pick of rows `FOR UPDATE SKIP LOCKED` with a LIMIT, which PostgreSQL then evaluates exactly once.
   */
  with?: string;
  /** The RETURNING list; default the id. */
  returning?: string;
}

/** A status that is not in the table reached the SQL builder (a programming error, never user input). */
export function unknownStatus(status: string): InferenceError {
  return new InferenceError(
    'UNKNOWN_STATUS',
    `"${status}" is not an inference status (src/inference/inference-status.ts)`,
    {
      status,
    },
  );
}

function literal(status: string): string {
  if (!isInferenceStatus(status)) throw unknownStatus(status);
  return `'${status}'`;
}

/** `column = 'A'`, or `column IN ('A', 'B')`: a filter on the given lifecycle statuses. */
export function statusIn(column: string, statuses: readonly InferenceStatus[]): string {
  invariant(statuses.length > 0, `statusIn(${column}): no statuses`);
  const literals = statuses.map(literal);
  return literals.length === 1 ? `${column} = ${literals[0]}` : `${column} IN (${literals.join(', ')})`;
}

/** The conditional UPDATE of transition `name` (pure: what `transition` runs). */
export function transitionSql(name: TransitionName, statement: TransitionStatement): string {
  const { from, to } = TRANSITIONS[name];
  const column = statement.alias ? `${statement.alias}.status` : 'status';
  const id = statement.alias ? `${statement.alias}.id` : 'id';
  return [
    ...(statement.with ? [`WITH ${statement.with}`] : []),
    `UPDATE inferences${statement.alias ? ` AS ${statement.alias}` : ''}`,
    `   SET status = ${literal(to)}${statement.set ? `, ${statement.set}` : ''}`,
    ...(statement.using ? [`  FROM ${statement.using}`] : []),
    ` WHERE ${statusIn(column, from)} AND (${statement.where})`,
    `RETURNING ${statement.returning ?? id}`,
  ].join('\n');
}

/**
 * Applies transition `name` to the rows `statement.where` selects that are in one of its `from`
 * statuses, in one statement; returns the rows it changed (RETURNING `statement.returning`).
 */
export function transition<T = { id: string }>(
  sql: Sql,
  name: TransitionName,
  statement: TransitionStatement,
): Promise<T[]> {
  return sql<T>(transitionSql(name, statement), statement.params ?? []);
}
