import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { dataSourceOptions } from './database/data-source-options';
import { formatGraphqlError } from './common/format-graphql-error';
import { HealthModule } from './health/health.module';
import { ModelsModule } from './models/models.module';
import { RuntimeModule } from './runtime/runtime.module';
import type { Runtime } from './runtime/runtime';

/** Wiring only: the API process's modules over a started runtime. */
@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    const { config } = runtime;
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(runtime),
        LoggerModule.forRoot({
          pinoHttp: { level: config.logLevel, autoLogging: false, redact: ['req.headers.authorization'] },
        }),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.databaseUrl, config.database.poolSize),
          migrationsRun: true,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          sortSchema: true,
          subscriptions: { 'graphql-ws': true },
          playground: false,
          introspection: true,
          formatError: formatGraphqlError,
        }),
        HealthModule,
        ModelsModule,
      ],
    };
  }
}
