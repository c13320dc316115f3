import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ConfigError } from './config/config.errors';
import { isCorsOriginAllowed } from './common/cors-origins';
import { limitWebSocketMessages } from './common/graphql-ws-limits';
import type { Runtime } from './runtime/runtime';
import { MAX_MODEL_BYTES } from './models/models.errors';

const MAX_REQUEST_BODY_BYTES = Math.ceil((MAX_MODEL_BYTES * 4) / 3) + 1024 * 1024;

/** Builds and starts the API process (GraphQL at /graphql, health at /health) on a runtime. */
export async function startApi(runtime: Runtime): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), { bufferLogs: true, bodyParser: false });
  // ONNX models arrive base64 in GraphQL bodies: allow them, bounded (MAX_MODEL_BYTES).
  app.useBodyParser('json', { limit: MAX_REQUEST_BODY_BYTES });
  app.useLogger(app.get(PinoNestLogger));
  // Browser pages from CORS_ORIGINS only (none in production unless set); other callers send no Origin.
  const { corsOrigins } = runtime.config.http;
  app.enableCors({
    origin: (origin, allow) => allow(null, origin !== undefined && isCorsOriginAllowed(origin, corsOrigins)),
    methods: ['GET', 'POST'],
    maxAge: 600,
  });
  // No Nest shutdown hooks: `verity serve` owns the order on SIGINT/SIGTERM (worker, defender
  // child, this app, then the embedded database and chain); a hook of Nest's closing the app
  // first made the serve handler's own close fail and skip stopping the runtime.
  await app.init();
  limitWebSocketMessages(app);
  const { host, port } = runtime.config.http;
  try {
    await app.listen(port, host);
  } catch (cause) {
    await app.close();
    if ((cause as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError('PORT_IN_USE', `port ${port} on ${host} is already taken; set PORT to a free port`, { port }, { cause });
    }
    throw cause;
  }
  return app;
}
