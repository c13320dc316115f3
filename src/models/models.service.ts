import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PubSub } from 'graphql-subscriptions';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { getAddress, isAddress } from 'viem';
import { ModelCompiler } from './model-compiler';
import { LISTING_COLUMNS, ModelEntity, type ModelListing } from './model.entity';
import { MAX_MODEL_BYTES, MAX_MODEL_NAME_LENGTH, ModelsError } from './models.errors';
import { decodeCursor, encodeCursor } from './model-cursor';
import type { RegisterModelInput } from './dto/register-model.input';

export const MODEL_REGISTERED_EVENT = 'modelRegistered';
/** NOTIFY channel of new models: every API replica's `modelRegistered` subscribers hear of it (inference/cluster-signals.ts). */
export const MODEL_REGISTERED_CHANNEL = 'verity_model_registered';
export const MAX_PAGE_SIZE = 100;

export interface ModelPage {
  items: ModelListing[];
  hasNextPage: boolean;
}

/** Registers models (import, quantize, commit) and reads them back. */
@Injectable()
export class ModelsService {
  readonly events = new PubSub();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly compiler: ModelCompiler,
  ) {}

  /** Idempotent: the same model (same commitment) registered twice returns the first row. */
  async register(input: RegisterModelInput): Promise<{ model: ModelEntity; created: boolean }> {
    const name = input.name.trim();
    // PostgreSQL text cannot hold U+0000: refused here, not by the INSERT after the model compiled.
    if (name.length === 0 || name.length > MAX_MODEL_NAME_LENGTH || name.includes('\u0000')) {
      throw new ModelsError(
        'INVALID_MODEL_UPLOAD',
        `name must be 1..${MAX_MODEL_NAME_LENGTH} characters, none of them NUL (U+0000)`,
      );
    }
    const owner = parseOwner(input.owner);
    const bytes = decodeBase64(input.onnxBase64);
    // Off the event loop, capped in memory and time: the bytes are anyone's (model-compiler.ts).
    const compiled = await this.compiler.compile(bytes, input.calibration ?? undefined);
    const row = {
      name,
      commitment: compiled.commitment,
      onnxSha256: createHash('sha256').update(bytes).digest('hex'),
      onnx: bytes,
      quantized: compiled.quantized,
      ops: compiled.summary.ops,
      parameterCount: compiled.summary.parameterCount,
      inputShape: compiled.summary.inputShape,
      outputShape: compiled.summary.outputShape,
      fractionBits: compiled.summary.fractionBits,
      accuracy: compiled.accuracy,
      owner,
    };
    const inserted = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(ModelEntity)
      .values(row)
      .orIgnore()
      .returning('id')
      .execute();
    const created = inserted.raw.length > 0;
    // The same bytes registered again: the first owner named stays. One named now only fills a
    // row that had none (its registrant claimed no control over zk mode).
    if (!created && owner) {
      await this.dataSource.query(`UPDATE models SET owner = $1 WHERE commitment = $2 AND owner IS NULL`, [
        owner,
        compiled.commitment,
      ]);
    }
    const model = await this.dataSource.getRepository(ModelEntity).findOneByOrFail({ commitment: compiled.commitment });
    if (created) await this.dataSource.query('SELECT pg_notify($1, $2)', [MODEL_REGISTERED_CHANNEL, model.id]);
    return { model, created };
  }

  /** Tells this process's `modelRegistered` subscribers of a model registered by any replica. */
  async deliverRegistered(id: string): Promise<void> {
    const model = await this.dataSource.getRepository(ModelEntity).findOneBy({ id });
    if (model) await this.events.publish(MODEL_REGISTERED_EVENT, { modelRegistered: model });
  }

  async get(id: string): Promise<ModelEntity> {
    const model = isUuid(id) ? await this.dataSource.getRepository(ModelEntity).findOneBy({ id }) : null;
    if (!model) throw new ModelsError('MODEL_NOT_FOUND', `no model with id ${id}`, { id });
    return model;
  }

  /** Newest first, keyset pagination on (created_at, id). */
  async list(first: number, after?: string | null): Promise<ModelPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw new ModelsError('INVALID_PAGE_SIZE', `first must be 1..${MAX_PAGE_SIZE}, got ${first}`);
    }
    // Never the ONNX bytes nor the quantized JSON (both up to megabytes a row): a page of 100 would
    // load them all. The input bound comes out of the JSON in SQL; quantizedJson loads on demand.
    const query = this.dataSource
      .getRepository(ModelEntity)
      .createQueryBuilder('m')
      .select(LISTING_COLUMNS.map((column) => `m.${column}`))
      .addSelect(`(m.quantized->>'inputBoundReal')::float8`, 'input_bound')
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(first + 1);
    if (after) {
      const cursor = decodeCursor(after);
      query.where('(m.created_at, m.id) < (:createdAt, :id)', cursor);
    }
    const { entities, raw } = await query.getRawAndEntities<{ input_bound: number }>();
    const rows = entities.map((entity, i): ModelListing => {
      const listing: Partial<ModelEntity> & ModelListing = { ...entity, inputBound: Number(raw[i].input_bound) };
      delete listing.onnx;
      delete listing.quantized;
      return listing;
    });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** The quantized model JSON of one model (for listings, which do not load it). */
  async quantizedJson(id: string): Promise<string> {
    const rows = await this.dataSource.query<{ quantized: unknown }[]>(`SELECT quantized FROM models WHERE id = $1`, [id]);
    if (rows.length === 0) throw new ModelsError('MODEL_NOT_FOUND', `no model with id ${id}`, { id });
    return JSON.stringify(rows[0].quantized);
  }

  cursorOf(model: Pick<ModelEntity, 'createdAt' | 'id'>): string {
    return encodeCursor(model.createdAt, model.id);
  }
}

function parseOwner(owner: string | null | undefined): string | null {
  if (owner === undefined || owner === null) return null;
  if (!isAddress(owner, { strict: false })) {
    throw new ModelsError('INVALID_MODEL_UPLOAD', `owner must be a 0x-prefixed 20-byte Ethereum address, got ${JSON.stringify(owner.slice(0, 64))}`);
  }
  return getAddress(owner);
}

function decodeBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new ModelsError('INVALID_MODEL_UPLOAD', 'onnxBase64 is not valid base64');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_MODEL_BYTES) {
    throw new ModelsError('INVALID_MODEL_UPLOAD', `model is ${bytes.length} bytes; at most ${MAX_MODEL_BYTES} are accepted`);
  }
  return bytes;
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
