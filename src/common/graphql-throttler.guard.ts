import { Injectable, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { CommonError } from './common.errors';

/**
 * Rate limits GraphQL operations per peer address (HTTP only: a subscription is one long-lived
 * connection), and the plain HTTP routes (GET /health) the same way. Exceeding the limit is a
 * RATE_LIMITED error saying when to retry.
 */
@Injectable()
export class GraphqlThrottlerGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext) {
    // a plain route's request, not GraphQL's context: without it every caller shared one budget
    if (context.getType() === 'http') return super.getRequestResponse(context);
    const ctx = GqlExecutionContext.create(context).getContext<{
      req?: Record<string, unknown>;
      res?: Record<string, unknown>;
    }>();
    return { req: ctx.req ?? {}, res: ctx.res ?? { header: () => undefined } };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = GqlExecutionContext.create(context).getContext<{ req?: unknown }>();
    if (context.getType<string>() === 'graphql' && !ctx.req) return true;
    return super.canActivate(context);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new CommonError(
      'RATE_LIMITED',
      `rate limit of ${detail.limit} requests per ${detail.ttl / 1000} s exceeded; retry in ${Math.ceil(detail.timeToBlockExpire)} s`,
      {
        retryAfterSeconds: Math.ceil(detail.timeToBlockExpire),
      },
    );
  }
}
