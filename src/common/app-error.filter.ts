import { type ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { GqlContextType } from '@nestjs/graphql';
import { AppError, isRefusal } from './app-error';

/** The logger calls the filter makes (Nest's Logger, or a test double). */
export interface AppErrorLog {
  log(message: string): void;
  error(message: unknown): void;
}

/**
 * Logs an AppError by its category: an expected refusal (bad input, not found, conflict,
 * unauthorized, rate limited) as one line with its code and no stack trace; a failure of the
 * service (unavailable, internal) as an error with its stack trace and cause.
 */
export function logAppError(log: AppErrorLog, error: AppError): void {
  if (isRefusal(error.category)) log.log(`refused ${error.code}: ${error.message}`);
  else log.error(error);
}

/**
 * Replaces Nest's default handling of an AppError thrown by a resolver or guard, which logs every
 * error with its stack trace: it logs by category (logAppError) and hands the error on to the
 * GraphQL translator (common/format-graphql-error.ts). Outside GraphQL it defers to Nest.
 */
@Catch(AppError)
export class AppErrorFilter extends BaseExceptionFilter {
  private readonly log = new Logger('GraphQL');

  override catch(error: AppError, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() !== 'graphql') return super.catch(error, host);
    logAppError(this.log, error);
    return error;
  }
}
