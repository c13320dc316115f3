import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/** TypeORM options shared by the API, the workers and the migration command. */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'verity_migrations',
    migrationsRun: false,
    synchronize: false,
    extra: { max: poolSize },
  };
}
