import { type ArgumentsHost, Logger } from '@nestjs/common';
import type { GraphQLFormattedError } from 'graphql';
import { API_ERROR_CATEGORIES, API_MODULE_ERROR_CATEGORIES, apiFailure } from './api-error-codes';
import { CHAIN_ERROR_CATEGORIES, ChainError } from './chain/chain.errors';
import { CHALLENGER_ERROR_CATEGORIES, ChallengerError } from './challenger/challenger.errors';
import { CHALLENGES_ERROR_CATEGORIES, ChallengesError } from './challenges/challenges.errors';
import { type AppError, type ErrorCategory, isRefusal } from './common/app-error';
import { AppErrorFilter, logAppError } from './common/app-error.filter';
import { COMMON_ERROR_CATEGORIES, CommonError } from './common/common.errors';
import { formatGraphqlError, INTERNAL_MESSAGE, UNAVAILABLE_MESSAGE } from './common/format-graphql-error';
import { GRAPHQL_ERROR_CATEGORIES } from './common/graphql-codes';
import { CONFIG_ERROR_CATEGORIES, ConfigError } from './config/config.errors';
import { DATABASE_ERROR_CATEGORIES, DatabaseError } from './database/database.errors';
import { ENGINE_ERROR_CATEGORIES, EngineError } from './engine';
import { INFERENCE_ERROR_CATEGORIES, InferenceError } from './inference/inference.errors';
import { MODELS_ERROR_CATEGORIES, ModelsError } from './models/models.errors';
import { PROOFS_ERROR_CATEGORIES, ProofsError } from './proofs/proofs.errors';
import { RESULT_BATCHES_ERROR_CATEGORIES, ResultBatchesError } from './result-batches/result-batches.errors';
import { SETTLEMENT_ERROR_CATEGORIES, SettlementError } from './settlement/settlement.errors';
import { CHAIN_TX_ERROR_CATEGORIES, ChainTxError } from './chain-tx/chain-tx.errors';
import { WORKER_ERROR_CATEGORIES, WorkerError } from './worker/worker.errors';
import { WORKERS_ERROR_CATEGORIES, WorkersError } from './workers/workers.errors';
import { ZK_ERROR_CATEGORIES, ZkError } from './zk/zk.errors';

type Make = (code: string, message: string, details: Record<string, unknown>) => AppError;

/** Every module's error class with its table (the worker's and challenger's own codes included). */
const MODULES: [string, Record<string, ErrorCategory>, Make][] = [
  ['common', COMMON_ERROR_CATEGORIES, (c, m, d) => new CommonError(c as never, m, d)],
  ['engine', ENGINE_ERROR_CATEGORIES, (c, m, d) => new EngineError(c as never, m, d)],
  ['models', MODELS_ERROR_CATEGORIES, (c, m, d) => new ModelsError(c as never, m, d)],
  ['inference', INFERENCE_ERROR_CATEGORIES, (c, m, d) => new InferenceError(c as never, m, d)],
  ['workers', WORKERS_ERROR_CATEGORIES, (c, m, d) => new WorkersError(c as never, m, d)],
  ['proofs', PROOFS_ERROR_CATEGORIES, (c, m, d) => new ProofsError(c as never, m, d)],
  ['zk', ZK_ERROR_CATEGORIES, (c, m, d) => new ZkError(c as never, m, d)],
  ['challenges', CHALLENGES_ERROR_CATEGORIES, (c, m, d) => new ChallengesError(c as never, m, d)],
  ['settlement', SETTLEMENT_ERROR_CATEGORIES, (c, m, d) => new SettlementError(c as never, m, d)],
  ['resultBatches', RESULT_BATCHES_ERROR_CATEGORIES, (c, m, d) => new ResultBatchesError(c as never, m, d)],
  ['chainTx', CHAIN_TX_ERROR_CATEGORIES, (c, m, d) => new ChainTxError(c as never, m, d)],
  ['chain', CHAIN_ERROR_CATEGORIES, (c, m, d) => new ChainError(c as never, m, d)],
  ['database', DATABASE_ERROR_CATEGORIES, (c, m, d) => new DatabaseError(c as never, m, d)],
  ['config', CONFIG_ERROR_CATEGORIES, (c, m, d) => new ConfigError(c as never, m, d)],
  ['worker', WORKER_ERROR_CATEGORIES, (c, m, d) => new WorkerError(c as never, m, d)],
  ['challenger', CHALLENGER_ERROR_CATEGORIES, (c, m, d) => new ChallengerError(c as never, m, d)],
];

const CATEGORIES: readonly ErrorCategory[] = [
  'BAD_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
];

/** formatGraphqlError as Apollo calls it: the formatted error and the GraphQLError wrapping ours. */
function translate(error: unknown): GraphQLFormattedError {
  const formatted: GraphQLFormattedError = {
    message: error instanceof Error ? error.message : String(error),
    path: ['field'],
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
  return formatGraphqlError(formatted, { originalError: error });
}

describe('error codes', () => {
  it.each(MODULES)(
    'maps every %s code to a category, and the translator answers with that code',
    (_, table, make) => {
      for (const [code, category] of Object.entries(table)) {
        const error = make(code, `why ${code} happened`, { what: code });
        expect(CATEGORIES).toContain(error.category);
        expect(error.category).toBe(category);
        const answer = translate(error);
        expect(answer.extensions).toMatchObject({ code });
        expect(answer.path).toEqual(['field']);
        if (isRefusal(category)) {
          expect(answer).toMatchObject({
            message: `why ${code} happened`,
            extensions: { details: { what: code } },
          });
        } else {
          expect(answer.message).toBe(category === 'UNAVAILABLE' ? UNAVAILABLE_MESSAGE : INTERNAL_MESSAGE);
          expect(JSON.stringify(answer)).not.toContain('happened');
        }
      }
    },
  );

  it('gives a code that several modules share one category everywhere', () => {
    const seen = new Map<string, ErrorCategory>();
    for (const [, table] of [...Object.entries(API_MODULE_ERROR_CATEGORIES), ...MODULES]) {
      for (const [code, category] of Object.entries(table as Record<string, ErrorCategory>)) {
        expect([code, seen.get(code) ?? category]).toEqual([code, category]);
        seen.set(code, category);
      }
    }
  });

  it('lists every module the API runs, so a client can carry any code the API answers with', () => {
    for (const [name, table] of MODULES.filter(([n]) => !['config', 'worker', 'challenger'].includes(n))) {
      for (const code of Object.keys(table))
        expect([name, API_ERROR_CATEGORIES[code as never]]).toEqual([name, table[code]]);
    }
  });
});

describe('formatGraphqlError', () => {
  it('hides a chain RPC failure: the client reads the code and a generic message, not the node URL or reason', () => {
    const rpc = new Error('fetch failed: ECONNREFUSED http://user:secret@10.0.0.7:8545');
    const answer = translate(
      new ChainTxError(
        'CHAIN_UNAVAILABLE',
        `RPC node http://user:secret@10.0.0.7:8545 did not answer`,
        { rpc: '10.0.0.7' },
        { cause: rpc },
      ),
    );
    expect(answer).toEqual({
      message: UNAVAILABLE_MESSAGE,
      path: ['field'],
      extensions: { code: 'CHAIN_UNAVAILABLE' },
    });
  });

  it('hides a database failure behind its code', () => {
    const answer = translate(
      new DatabaseError(
        'DATABASE_UNREACHABLE',
        'DATABASE_URL is unreachable: password authentication failed for user "verity"',
      ),
    );
    expect(answer.message).toBe(UNAVAILABLE_MESSAGE);
    expect(JSON.stringify(answer)).not.toContain('password');
  });

  it('answers an error that is not an AppError as INTERNAL_SERVER_ERROR without its message', () => {
    const answer = translate(
      new Error(`ENOENT: no such file or directory, open '/var/lib/verity/zk/circuit.zkey'`),
    );
    expect(answer).toEqual({
      message: INTERNAL_MESSAGE,
      path: ['field'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it("keeps a refusal's message and details, the engine's included", () => {
    expect(
      translate(
        new EngineError('INPUT_SHAPE', 'input has 783 values, model m expects 784', { expected: 784 }),
      ),
    ).toEqual({
      message: 'input has 783 values, model m expects 784',
      path: ['field'],
      extensions: { code: 'INPUT_SHAPE', details: { expected: 784 } },
    });
  });

  it("passes GraphQL's own refusals through without a stack trace, and nothing else that carries a code", () => {
    for (const [code, category] of Object.entries(GRAPHQL_ERROR_CATEGORIES)) {
      const formatted = { message: `graphql says ${code}`, extensions: { code } };
      const answer = formatGraphqlError(formatted, new Error(`graphql says ${code}`));
      if (isRefusal(category)) expect(answer).toEqual(formatted);
      else if (category === 'UNAVAILABLE') expect(answer).toEqual({ message: UNAVAILABLE_MESSAGE, extensions: { code } });
      else expect(answer.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    }
    const traced = { message: 'bad', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at /srv/app/x.js:1:1'] } };
    expect(formatGraphqlError(traced, new Error('bad'))).toEqual({ message: 'bad', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const forged = formatGraphqlError(
      { message: 'x', extensions: { code: 'SOMETHING_ELSE' } },
      new Error('x'),
    );
    expect(forged.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});

describe('AppError', () => {
  it('is the base of the engine error and keeps the cause', () => {
    const cause = new Error('protobuf: index out of range');
    const error = new EngineError('MALFORMED_ONNX', 'the file is not an ONNX model', {}, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EngineError');
    expect(error.cause).toBe(cause);
  });
});

describe('logAppError', () => {
  it('logs a refusal as one line without a stack trace, and a failure of the service with it', () => {
    const log = { log: jest.fn(), error: jest.fn() };
    logAppError(log, new InferenceError('INFERENCE_NOT_FOUND', 'no inference with id 7', { id: '7' }));
    expect(log.log).toHaveBeenCalledWith('refused INFERENCE_NOT_FOUND: no inference with id 7');
    expect(log.error).not.toHaveBeenCalled();
    const failure = new ChainTxError('CHAIN_TX_FAILED', 'nonce too low');
    logAppError(log, failure);
    expect(log.error).toHaveBeenCalledWith(failure);
    expect(log.log).toHaveBeenCalledTimes(1);
  });
});

describe('AppErrorFilter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs a refusal a resolver threw without its stack and hands the error on to the translator', () => {
    const info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const refusal = new ModelsError('MODEL_NOT_FOUND', 'no model with id 9');
    const host = { getType: () => 'graphql' } as unknown as ArgumentsHost;
    expect(new AppErrorFilter().catch(refusal, host)).toBe(refusal);
    expect(info).toHaveBeenCalledWith('refused MODEL_NOT_FOUND: no model with id 9');
    expect(error).not.toHaveBeenCalled();
  });
});

describe('apiFailure', () => {
  it("keeps a code the API answers with, and files an unknown one under GRAPHQL_ERROR with the API's code", () => {
    expect(apiFailure('WORKER_NOT_STAKED', { status: 200 })).toEqual({
      code: 'WORKER_NOT_STAKED',
      details: { status: 200 },
    });
    expect(apiFailure('FROM_A_NEWER_API', { status: 200 })).toEqual({
      code: 'GRAPHQL_ERROR',
      details: { status: 200, apiCode: 'FROM_A_NEWER_API' },
    });
    expect(new WorkerError('RATE_LIMITED', 'slow down').transient).toBe(true);
    expect(new ChallengerError('CHAIN_UNAVAILABLE', 'down').transient).toBe(true);
  });
});
