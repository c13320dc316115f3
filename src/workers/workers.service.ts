import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Address } from 'viem';
import type { RegisterWorkerInput } from './dto/worker-api.types';
import { WorkerEntity } from './worker.entity';
import { WorkersError } from './workers.errors';

const MAX_NAME_LENGTH = 64;
const BACKEND_PATTERN = /^[a-z0-9-]{1,16}$/;

/** Worker registration: a staked address announces its name and execution provider. */
@Injectable()
export class WorkersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates or updates the worker (registering again refreshes its name and backend). */
  async register(worker: Address, input: RegisterWorkerInput): Promise<WorkerEntity> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new WorkersError('INVALID_WORKER_INPUT', `name must be 1..${MAX_NAME_LENGTH} characters`);
    }
    if (!BACKEND_PATTERN.test(input.backend)) {
      throw new WorkersError(
        'INVALID_WORKER_INPUT',
        `backend must be a provider name such as cpu or cuda, got ${JSON.stringify(input.backend)}`,
      );
    }
    await this.dataSource.query(
      `INSERT INTO workers (address, name, backend) VALUES ($1, $2, $3)
       ON CONFLICT (address) DO UPDATE SET name = EXCLUDED.name, backend = EXCLUDED.backend, last_seen_at = now()`,
      [worker, name, input.backend],
    );
    return this.dataSource.getRepository(WorkerEntity).findOneByOrFail({ address: worker });
  }
}
