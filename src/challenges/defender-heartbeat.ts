import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { query } from '../database/sql';

/**
 * A defender whose last heartbeat is older than this is reported down by the API's /health. A
 * pass is a second apart plus its moves (each waits for its receipt), well under this; a dispute
 * clock is minutes (DisputeGame.maxClockSeconds).
 */
export const DEFENDER_STALE_AFTER_SECONDS = 30;

/** A defender's last heartbeat, as the API reads it. */
export interface DefenderBeat {
  address: string;
  pid: number;
  host: string;
  startedAt: Date;
  beatAt: Date;
  /** Seconds since `beatAt`, by the database's clock. */
  ageSeconds: number;
}

/**
 * The defender's sign of life: after every full pass of the dispute defender (every open dispute
 * read and, where due, answered), a row keyed by the account that sends its moves records the
 * time, in the service's PostgreSQL. A process that is up but stuck (a node that does not answer,
 * a loop held) stops beating, so the API's /health reports what matters: that disputes are being
 * answered. Works alike for an in-process defender, a `verity serve` child and an external one.
 */
@Injectable()
export class DefenderHeartbeat {
  private readonly startedAt = new Date();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async beat(): Promise<void> {
    await query(
      this.dataSource,
      `INSERT INTO defender_heartbeats (address, pid, host, started_at, beat_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (address) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host,
                                           started_at = EXCLUDED.started_at, beat_at = now()`,
      [this.runtime.chain.account.address, process.pid, hostname(), this.startedAt],
    );
  }

  /** The freshest heartbeat of any defender, or null when none has beaten yet. */
  async latest(): Promise<DefenderBeat | null> {
    const [row] = await query<{
      address: string;
      pid: number;
      host: string;
      started_at: Date;
      beat_at: Date;
      age_seconds: string;
    }>(
      this.dataSource,
      `SELECT address, pid, host, started_at, beat_at, EXTRACT(EPOCH FROM now() - beat_at) AS age_seconds
         FROM defender_heartbeats ORDER BY beat_at DESC LIMIT 1`,
    );
    if (!row) return null;
    return {
      address: row.address.trim(),
      pid: row.pid,
      host: row.host,
      startedAt: row.started_at,
      beatAt: row.beat_at,
      ageSeconds: Number(row.age_seconds),
    };
  }
}
