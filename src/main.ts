import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppError } from './common/app-error';
import type { Runtime } from './runtime/runtime';

/** Builds and starts the API process (GraphQL at /graphql, health at /health) on a runtime. */
export async function startApi(runtime: Runtime): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(runtime), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  const { host, port } = runtime.config.http;
  try {
    await app.listen(port, host);
  } catch (cause) {
    await app.close();
    if ((cause as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError('PORT_IN_USE', `port ${port} on ${host} is already taken; set PORT to a free port`, { port }, { cause });
    }
    throw cause;
  }
  return app;
}
