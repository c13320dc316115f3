import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PgThrottlerStorage } from './database/pg-throttler-storage';
import { LoggerModule } from 'nestjs-pino';
import { dataSourceOptions } from './database/data-source-options';
import { formatGraphqlError } from './common/format-graphql-error';
import { AppErrorFilter } from './common/app-error.filter';
import {
  complexityLimitPlugin,
  depthLimitRule,
  MAX_QUERY_COMPLEXITY,
  MAX_QUERY_DEPTH,
} from './common/graphql-limits';
import { GraphqlThrottlerGuard } from './common/graphql-throttler.guard';
import { graphqlWsOptions } from './common/graphql-ws-limits';
import { ChallengesModule } from './challenges/challenges.module';
import { ExplorerModule } from './explorer/explorer.module';
import { HealthModule } from './health/health.module';
import { InferenceModule } from './inference/inference.module';
import { WorkersModule } from './workers/workers.module';
import { ModelsModule } from './models/models.module';
import { ProofsModule } from './proofs/proofs.module';
import { RuntimeModule } from './runtime/runtime.module';
import { SettlementModule } from './settlement/settlement.module';
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
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [ThrottlerStorage, GraphQLSchemaHost],
          useFactory: (storage: ThrottlerStorage, schemaHost: GraphQLSchemaHost) => ({
            autoSchemaFile: true,
            sortSchema: true,
            // The same depth, complexity and rate limits on the WebSocket as over HTTP (H5).
            subscriptions: {
              'graphql-ws': graphqlWsOptions({
                schema: () => schemaHost.schema,
                maxDepth: MAX_QUERY_DEPTH,
                maxComplexity: MAX_QUERY_COMPLEXITY,
                rateLimitPerMinute: config.http.rateLimitPerMinute,
                storage,
              }),
            },
            playground: false,
            introspection: true,
            formatError: formatGraphqlError,
            // Apollo's default outside production and test: every error with its stack trace
            includeStacktraceInErrorResponses: false,
            context: ({ req, res }: { req?: unknown; res?: unknown }) => ({ req, res }),
            validationRules: [depthLimitRule(MAX_QUERY_DEPTH)],
            plugins: [complexityLimitPlugin(MAX_QUERY_COMPLEXITY)],
          }),
        }),
        // Counted in PostgreSQL, so a caller's limit holds across every API replica.
        ThrottlerModule.forRootAsync({
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => ({
            throttlers: [{ name: 'per-minute', ttl: 60_000, limit: config.http.rateLimitPerMinute }],
            skipIf: () => config.http.rateLimitPerMinute === 0,
            storage: new PgThrottlerStorage(dataSource),
          }),
        }),
        HealthModule,
        ModelsModule,
        InferenceModule,
        WorkersModule,
        SettlementModule,
        ChallengesModule,
        ProofsModule,
        ExplorerModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: GraphqlThrottlerGuard },
        { provide: APP_FILTER, useClass: AppErrorFilter },
      ],
    };
  }
}
