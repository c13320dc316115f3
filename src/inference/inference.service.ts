import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { commitTensor, quantizeInput } from '../engine';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { InferenceEntity } from './inference.entity';
import { InferenceError } from './inference.errors';
import { InferenceEvents } from './inference-events';
import { apiRequestId } from './inference-ids';
import type { InferenceMode, InferenceOrigin, InferenceStatus } from './inference-status';
import { NEW_REQUEST_STATUS, TERMINAL_STATUSES } from './lifecycle';
import { decodeInferenceCursor, encodeInferenceCursor } from './inference-cursor';
import { JobSignal } from './job-signal';
import { ModelCatalog, type CatalogModel } from './model-catalog';
import { ResultBatchEntity } from '../result-batches/result-batch.entity';
import { loadBatchTree, type BatchTree } from '../result-batches/batch-leaves';
import { sqlFor } from '../database/sql';

export const MAX_INFERENCE_PAGE_SIZE = 100;
const MAX_CLIENT_REQUEST_ID_LENGTH = 128;
/** A bytes32 request id (src/inference/inference-ids.ts, or Settlement's), as `inference(id:)` accepts it. */
const REQUEST_ID_PATTERN = /^0x[0-9a-fA-F]{64}$/;
/** Inputs one requestInferences call may queue (the body limit bounds their size as well). */
export const MAX_REQUESTS_PER_CALL = 256;

export interface RequestInferenceCommand {
  clientId: string;
  modelId: string;
  input: readonly number[];
  mode: InferenceMode;
  clientRequestId?: string | null;
}

export interface InferenceFilter {
  status?: InferenceStatus | null;
  modelId?: string | null;
  mode?: InferenceMode | null;
  origin?: InferenceOrigin | null;
}

export interface InferenceView {
  row: InferenceEntity;
  model: CatalogModel;
  batch: ResultBatchEntity | null;
}

export interface InferencePage {
  items: InferenceEntity[];
  hasNextPage: boolean;
}

/** Accepts inference requests from dapps and reads them back. Workers move them on (WorkersModule). */
@Injectable()
export class InferenceService {
  /** Batch trees being rebuilt now, so a page of inferences in one batch rebuilds it once. */
  private readonly treesLoading = new Map<string, Promise<BatchTree>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly catalog: ModelCatalog,
    private readonly events: InferenceEvents,
    private readonly jobSignal: JobSignal,
  ) {}

  /**
   * Validates and queues one request (status REQUESTED). With a clientRequestId the call is
   * idempotent: repeating it returns the first inference; reusing the id for a different
   * request is refused.
   */
  async request(command: RequestInferenceCommand): Promise<InferenceEntity> {
    const row = await this.prepare(command);
    const inserted = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(InferenceEntity)
      .values(row)
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.raw.length === 0) return this.existingRequest(this.dataSource, row);
    this.jobSignal.notify();
    await this.events.changed([row.id]);
    return this.get(row.id);
  }

  /**
   * Queues several requests at once, all or none: every input is checked first (a refusal names
   * its index, `inputs[i]: ...`), then one multi-row insert in a transaction. Each gets its own id;
   * a clientRequestId already used for the same request returns that inference, one used for
   * another request refuses the whole call (DUPLICATE_REQUEST) and nothing is queued.
   */
  async requestMany(commands: readonly RequestInferenceCommand[]): Promise<InferenceEntity[]> {
    if (commands.length < 1 || commands.length > MAX_REQUESTS_PER_CALL) {
      throw new InferenceError('TOO_MANY_REQUESTS', `requestInferences takes 1..${MAX_REQUESTS_PER_CALL} inputs, got ${commands.length}`, {
        limit: MAX_REQUESTS_PER_CALL,
      });
    }
    const rows: Awaited<ReturnType<InferenceService['prepare']>>[] = [];
    for (const [index, command] of commands.entries()) {
      try {
        rows.push(await this.prepare(command));
      } catch (error) {
        if (error instanceof Error) error.message = `inputs[${index}]: ${error.message}`;
        throw error;
      }
    }
    const keys = rows.flatMap((row) => (row.clientRequestId === null ? [] : [row.clientRequestId]));
    const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
    if (repeated !== undefined) {
      throw new InferenceError('DUPLICATE_REQUEST', `clientRequestId ${repeated} appears twice in one call`);
    }
    const ids = await this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(InferenceEntity)
        .values(rows)
        .orIgnore()
        .returning('id')
        .execute();
      const fresh = new Set((inserted.raw as { id: string }[]).map((r) => r.id));
      const result: string[] = [];
      for (const row of rows) result.push(fresh.has(row.id) ? row.id : (await this.existingRequest(manager, row)).id);
      return { all: result, fresh: [...fresh] };
    });
    if (ids.fresh.length > 0) {
      this.jobSignal.notify();
      await this.events.changed(ids.fresh);
    }
    const found = await this.dataSource.getRepository(InferenceEntity).findBy({ id: In(ids.all) });
    const byId = new Map(found.map((row) => [row.id, row]));
    return ids.all.map((id) => byId.get(id)!);
  }

  /** Checks one request and builds its row (not inserted). */
  private async prepare(command: RequestInferenceCommand) {
    const model = await this.catalog.get(command.modelId);
    if (!model.modes.includes(command.mode)) {
      throw new InferenceError(
        'MODE_NOT_ALLOWED',
        `model ${model.name} (${model.id}) allows ${model.modes.join(', ')} mode; ${command.mode} is not available for it` +
          (command.mode === 'ZK'
            ? ' (zk mode needs a circuit and verifier for the model; use OPTIMISTIC)'
            : ''),
        { allowed: model.modes },
      );
    }
    const clientRequestId = this.checkClientRequestId(command.clientRequestId);
    const fixed = quantizeInput(model.quantized, command.input);
    const inputFixed = Array.from(fixed, (v) => BigInt(v));
    const id = randomUUID();
    const { chain, deployment } = this.runtime;
    return {
      id,
      requestId: apiRequestId(chain.chain.id, deployment.contracts.Settlement, id),
      modelId: model.id,
      mode: command.mode,
      origin: 'API' as const,
      clientId: command.clientId,
      clientRequestId,
      inputFixed: inputFixed.map(String),
      inputCommitment: commitTensor(inputFixed),
      status: NEW_REQUEST_STATUS,
    };
  }

  /** An inference by its id, or by its bytes32 request id (0x and 64 hex digits, any case). */
  async get(id: string): Promise<InferenceEntity> {
    const repository = this.dataSource.getRepository(InferenceEntity);
    const row = isUuid(id)
      ? await repository.findOneBy({ id })
      : REQUEST_ID_PATTERN.test(id)
        ? await repository.findOneBy({ requestId: id.toLowerCase() })
        : null;
    if (!row) throw new InferenceError('INFERENCE_NOT_FOUND', `no inference with id or request id ${id}`, { id });
    return row;
  }

  /** Newest first, keyset pagination on the insertion sequence, with optional filters. */
  async list(
    first: number,
    after: string | null | undefined,
    filter: InferenceFilter,
  ): Promise<InferencePage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_INFERENCE_PAGE_SIZE) {
      throw new InferenceError(
        'INVALID_PAGE_SIZE',
        `first must be 1..${MAX_INFERENCE_PAGE_SIZE}, got ${first}`,
      );
    }
    const query = this.dataSource
      .getRepository(InferenceEntity)
      .createQueryBuilder('i')
      .orderBy('i.seq', 'DESC')
      .limit(first + 1);
    if (after) query.andWhere('i.seq < :seq', { seq: decodeInferenceCursor(after) });
    if (filter.status) query.andWhere('i.status = :status', { status: filter.status });
    if (filter.mode) query.andWhere('i.mode = :mode', { mode: filter.mode });
    if (filter.origin) query.andWhere('i.origin = :origin', { origin: filter.origin });
    if (filter.modelId) {
      if (!isUuid(filter.modelId)) return { items: [], hasNextPage: false };
      query.andWhere('i.model_id = :modelId', { modelId: filter.modelId });
    }
    const rows = await query.getMany();
    return { items: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Rows with what the API type needs besides them: their model and their batch. */
  async views(rows: readonly InferenceEntity[]): Promise<InferenceView[]> {
    const batchIds = [...new Set(rows.map((row) => row.batchId).filter((id): id is string => id !== null))];
    const batches = batchIds.length
      ? await this.dataSource.getRepository(ResultBatchEntity).findBy({ id: In(batchIds) })
      : [];
    const byId = new Map(batches.map((batch) => [batch.id, batch]));
    return Promise.all(
      rows.map(async (row) => ({
        row,
        model: await this.catalog.get(row.modelId),
        batch: row.batchId ? (byId.get(row.batchId) ?? null) : null,
      })),
    );
  }

  async view(id: string): Promise<InferenceView> {
    const [view] = await this.views([await this.get(id)]);
    return view;
  }

  /**
   * The inference now, then again after every change, until it reaches a terminal status: each
   * status it enters, including one a transaction passes through (an API result is COMMITTED,
   * then CHALLENGEABLE, in the commit's transaction: InferenceUpdate.passed). Subscribes before
   * the first read, so no change between the two is missed; an update whose row was already
   * shown shows nothing again.
   */
  async *follow(idOrRequestId: string): AsyncGenerator<InferenceView> {
    // Updates are published by inference id: a request id is resolved to it first.
    const id = isUuid(idOrRequestId) ? idOrRequestId : (await this.get(idOrRequestId)).id;
    const updates = this.events.iterator(id);
    try {
      let last = await this.view(id);
      yield last;
      while (!TERMINAL_STATUSES.has(last.row.status)) {
        const next = await updates.next();
        if (next.done) return;
        const current = await this.view(id);
        if (sameState(current.row, last.row)) continue;
        const passed = next.value.passed.filter(
          (row) =>
            row.updatedAt.getTime() >= last.row.updatedAt.getTime() &&
            !sameState(row, last.row) &&
            !sameState(row, current.row),
        );
        for (const view of await this.views(passed)) yield view;
        last = current;
        yield last;
      }
    } finally {
      await updates.return?.();
    }
  }

  /**
   * The Merkle siblings from leaf `leafIndex` of batch `batchId` up to the batch root, rebuilt from
   * the batch's rows (the same leaves the committer hashed), or null when the batch has no such leaf.
   */
  async leafProof(batchId: string, leafIndex: number): Promise<string[] | null> {
    let loading = this.treesLoading.get(batchId);
    if (!loading) {
      loading = loadBatchTree(sqlFor(this.dataSource), batchId);
      this.treesLoading.set(batchId, loading);
      const forget = () => this.treesLoading.delete(batchId);
      void loading.then(forget, forget);
    }
    const { tree } = await loading;
    if (leafIndex < 0 || leafIndex >= tree.leafHashes.length) return null;
    return tree.proof(leafIndex);
  }

  cursorOf(row: InferenceEntity): string {
    return encodeInferenceCursor(row.seq);
  }

  private checkClientRequestId(value: string | null | undefined): string | null {
    if (value === undefined || value === null) return null;
    // PostgreSQL text cannot hold U+0000.
    if (value.length === 0 || value.length > MAX_CLIENT_REQUEST_ID_LENGTH || value.includes('\u0000')) {
      throw new InferenceError(
        'INVALID_CLIENT_REQUEST_ID',
        `clientRequestId must be 1..${MAX_CLIENT_REQUEST_ID_LENGTH} characters, none of them NUL (U+0000)`,
      );
    }
    return value;
  }

  /** The request a repeated clientRequestId names, if it is the same request. */
  private async existingRequest(reader: DataSource | EntityManager, row: {
    clientId: string;
    clientRequestId: string | null;
    modelId: string;
    mode: InferenceMode;
    inputCommitment: string;
  }): Promise<InferenceEntity> {
    const existing = await reader
      .getRepository(InferenceEntity)
      .findOneByOrFail({ clientId: row.clientId, clientRequestId: row.clientRequestId ?? undefined });
    const same =
      existing.modelId === row.modelId &&
      existing.mode === row.mode &&
      existing.inputCommitment === row.inputCommitment;
    if (!same) {
      throw new InferenceError(
        'DUPLICATE_REQUEST',
        `clientRequestId ${row.clientRequestId} was already used for a different request (inference ${existing.id})`,
        { inferenceId: existing.id },
      );
    }
    return existing;
  }
}

/** Whether two reads of a row show the same state: its status, entered at the same time. */
function sameState(a: InferenceEntity, b: InferenceEntity): boolean {
  return a.status === b.status && a.updatedAt.getTime() === b.updatedAt.getTime();
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
