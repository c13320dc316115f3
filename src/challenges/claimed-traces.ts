import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { traceOf, type Trace, type QuantizedModel } from '../engine';
import { query } from '../database/sql';
import { CHALLENGES_OPTIONS, type ChallengesOptions } from './challenges.options';

/**
 * The trace the defender answers from: the engine's trace of an inference's input under its
 * model. Recomputed instead of stored: evaluation is a pure function of the model and the input,
 * bit-identical to what honest workers sign (src/engine/commitment/trace.ts), so storing every
 * trace of every result would only keep what a dispute, rare by design, can rebuild in
 * milliseconds. The defender compares its commitment with the disputed leaf's before using it.
 * Kept for the few inferences under dispute at once (least recently used evicted first).
 */
@Injectable()
export class ClaimedTraces {
  private readonly cache = new Map<string, Trace>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CHALLENGES_OPTIONS) private readonly options: ChallengesOptions,
  ) {}

  /** The engine's trace of inference `inferenceId`'s input, or null when the inference is gone. */
  async of(inferenceId: string): Promise<Trace | null> {
    const cached = this.cache.get(inferenceId);
    if (cached) {
      this.cache.delete(inferenceId);
      this.cache.set(inferenceId, cached);
      return cached;
    }
    const [row] = await query<{ quantized: QuantizedModel; input_fixed: string[] }>(
      this.dataSource,
      `SELECT m.quantized, i.input_fixed FROM inferences i JOIN models m ON m.id = i.model_id WHERE i.id = $1`,
      [inferenceId],
    );
    if (!row) return null;
    const trace = traceOf(row.quantized, Float64Array.from(row.input_fixed, Number));
    this.cache.set(inferenceId, trace);
    while (this.cache.size > this.options.traceCacheSize) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    return trace;
  }
}
