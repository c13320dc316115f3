import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { QuantizedModel } from '../engine';
import { ModelEntity } from '../models/model.entity';
import { ModelsError } from '../models/models.errors';

/** What serving a request needs of a model, parsed once. */
export interface CatalogModel {
  id: string;
  name: string;
  commitment: string;
  modes: readonly string[];
  quantized: QuantizedModel;
  outputLength: number;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Registered models by id, cached after the first read. A row's quantized form and commitment
 * never change (the commitment is its identity); only `modes` can grow, so entries expire.
 */
@Injectable()
export class ModelCatalog {
  private static readonly TTL_MS = 30_000;
  private readonly cache = new Map<string, { model: CatalogModel; loadedAt: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(id: string): Promise<CatalogModel> {
    const cached = this.cache.get(id);
    if (cached && Date.now() - cached.loadedAt < ModelCatalog.TTL_MS) return cached.model;
    const row = UUID_PATTERN.test(id)
      ? await this.dataSource.getRepository(ModelEntity).findOneBy({ id })
      : null;
    if (!row) throw new ModelsError('MODEL_NOT_FOUND', `no model with id ${id}`, { id });
    const model: CatalogModel = {
      id: row.id,
      name: row.name,
      commitment: row.commitment,
      modes: row.modes,
      quantized: row.quantized as QuantizedModel,
      outputLength: row.outputShape.reduce((a, v) => a * v, 1),
    };
    this.cache.set(id, { model, loadedAt: Date.now() });
    return model;
  }

  /** Drops a cached entry after its modes changed (zk mode became ready). */
  forget(id: string): void {
    this.cache.delete(id);
  }
}
