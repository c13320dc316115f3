import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { query } from '../database/sql';
import { MAX_DISPUTES_PAGE_SIZE } from './challenges.constants';
import { ChallengesError } from './challenges.errors';
import type { DisputeRow, DisputeStatus } from './dispute-row';

/** Reads of the `disputes` table for the API (the loops write it). */
@Injectable()
export class ChallengesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest `first` disputes, optionally only those with `status`. */
  async list(first: number, status?: DisputeStatus | null): Promise<DisputeRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_DISPUTES_PAGE_SIZE) {
      throw new ChallengesError(
        'INVALID_PAGE_SIZE',
        `first must be 1..${MAX_DISPUTES_PAGE_SIZE}, got ${first}`,
      );
    }
    return query<DisputeRow>(
      this.dataSource,
      `SELECT * FROM disputes WHERE ($1::text IS NULL OR status = $1) ORDER BY dispute_id DESC LIMIT $2`,
      [status ?? null, first],
    );
  }

  /** Every dispute over a result of the inference (current or discarded), newest first. */
  async ofInference(inferenceId: string): Promise<DisputeRow[]> {
    return query<DisputeRow>(
      this.dataSource,
      'SELECT * FROM disputes WHERE inference_id = $1 ORDER BY dispute_id DESC',
      [inferenceId],
    );
  }
}
