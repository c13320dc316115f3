import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { getAddress, zeroAddress, type GetContractEventsReturnType } from 'viem';
import { DataSource } from 'typeorm';
import type { QuantizedModel } from '../engine';
import { SettlementAbi } from '../chain/generated/contracts';
import { InferenceEvents } from '../inference/inference-events';
import type { InferenceMode } from '../inference/inference-status';
import { NEW_REQUEST_STATUS, REFUSED_REQUEST_STATUS } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { checkRequestInput, storableInput } from './chain-request-input';
import { CHAIN_MODE_OPTIMISTIC, CHAIN_MODE_ZK, REQUEST_CURSOR_NAME } from './settlement.constants';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { scanLogs } from '../chain-cursors/scan-logs';
import type { Sql } from '../database/sql';

type RequestedLog = GetContractEventsReturnType<
  typeof SettlementAbi,
  'InferenceRequested',
  true,
  bigint,
  bigint
>[number];

/**
 * Turns Settlement's InferenceRequested events into inference rows (origin CHAIN). Polls the logs
 * from the cursor in chain_cursors up to the latest block, in chunks; each chunk's rows and the
 * cursor move in one transaction, and a request already stored is skipped (ON CONFLICT), so a
 * crash at any point neither loses nor duplicates a request.
 */
@Injectable()
export class ChainRequestWatcher {
  private readonly log = new Logger(ChainRequestWatcher.name);
  private readonly models = new Map<string, { id: string; quantized: QuantizedModel } | null>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly events: InferenceEvents,
  ) {}

  /** Scans from the cursor to the chain head; returns the ids of the inferences it inserted. */
  async runOnce(): Promise<string[]> {
    const { publicClient } = this.runtime.chain;
    return scanLogs(this.dataSource, {
      cursorName: REQUEST_CURSOR_NAME,
      label: 'request',
      chunkBlocks: this.options.requestLogChunkBlocks,
      head: () => publicClient.getBlockNumber({ cacheTime: 0 }),
      logs: (fromBlock, toBlock) =>
        publicClient.getContractEvents({
          address: this.runtime.deployment.contracts.Settlement,
          abi: SettlementAbi,
          eventName: 'InferenceRequested',
          fromBlock,
          toBlock,
          strict: true,
        }),
      apply: async (sql, logs) => {
        const ids: string[] = [];
        for (const log of logs) {
          const id = await this.insertRequest(sql, log);
          if (id) ids.push(id);
        }
        return ids;
      },
      committed: async (ids, from, to) => {
        if (ids.length === 0) return;
        this.log.log(`${ids.length} on-chain request(s) picked up in blocks ${from}..${to}`);
        await this.events.changed(ids);
      },
      warn: (message) => this.log.warn(message),
    });
  }

  private async insertRequest(sql: Sql, log: RequestedLog): Promise<string | null> {
    const { args } = log;
    const model = await this.modelOf(sql, args.modelCommitment);
    if (!model) {
      // Only models registered through this service can be requested (their ModelRegistry entry
      // comes from us), so this is a model registered on-chain by someone else.
      this.log.warn(
        `on-chain request ${args.requestId} names model ${args.modelCommitment}, unknown here: skipped`,
      );
      return null;
    }
    const mode = chainMode(args.mode);
    if (!mode) {
      this.log.warn(
        `on-chain request ${args.requestId} has mode ${args.mode}, neither zk (1) nor optimistic (2): skipped`,
      );
      return null;
    }
    const check = await checkRequestInput(model.quantized, mode, args.input, args.inputCommitment);
    const requester = getAddress(args.requester);
    const [row] = await sql<{ id: string }>(
      `INSERT INTO inferences (request_id, model_id, mode, origin, client_id, input_fixed, input_commitment, status,
                               chain_requester, callback, fee_wei, request_tx, error_code, error_message, zk_input_commitment)
       VALUES ($1, $2, $3, 'CHAIN', $4, $5::bigint[], $6, $7, $13, $8, $9, $10, $11, $12, $14)
       ON CONFLICT (request_id) DO NOTHING
       RETURNING id`,
      [
        args.requestId.toLowerCase(),
        model.id,
        mode,
        requester,
        storableInput(args.input),
        check.inputCommitment,
        check.valid ? NEW_REQUEST_STATUS : REFUSED_REQUEST_STATUS,
        args.callback === zeroAddress ? null : getAddress(args.callback),
        args.fee.toString(),
        log.transactionHash,
        check.valid ? null : check.code,
        check.valid ? null : check.message,
        requester,
        check.zkInputCommitment,
      ],
    );
    if (row && !check.valid) this.log.warn(`on-chain request ${args.requestId} refused: ${check.message}`);
    return row?.id ?? null;
  }

  private async modelOf(
    sql: Sql,
    commitment: string,
  ): Promise<{ id: string; quantized: QuantizedModel } | null> {
    const key = commitment.toLowerCase();
    const cached = this.models.get(key);
    if (cached) return cached;
    const [row] = await sql<{ id: string; quantized: QuantizedModel }>(
      'SELECT id, quantized FROM models WHERE commitment = $1',
      [key],
    );
    // Unknown models are not cached: one may be registered in the meantime.
    if (row) this.models.set(key, row);
    return row ?? null;
  }
}

function chainMode(mode: number): InferenceMode | null {
  if (mode === CHAIN_MODE_ZK) return 'ZK';
  if (mode === CHAIN_MODE_OPTIMISTIC) return 'OPTIMISTIC';
  return null;
}
