import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { payloadHash, recoverWorkerCallSigner } from '../chain/typed-data';
import { returnedRows } from '../common/sql-rows';
import type { WorkerAuthInput } from './dto/worker-api.types';
import { ProtocolService } from './protocol.service';
import { assertCanonicalSignature } from './signature-check';
import { assertPayloadBounded } from './payload-bounds';
import { MAX_AUTH_DEADLINE_SECONDS, STAKE_CHECK_TTL_MS } from './workers.constants';
import { WorkersError } from './workers.errors';

const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;

/**
 * Authenticates worker calls: an EIP-712 WorkerCall signature over the operation and its input,
 * with a nonce accepted once (kept until its deadline) and a deadline at most five minutes ahead.
 *
 * The order is the cheapest sound one for an input of megabytes sent by anyone: the signer is
 * recovered from the small signed header (the claimed `auth.payloadHash`: one ecrecover, whatever
 * the input's size), then it must be a registered, staked worker, then the nonce is consumed (a
 * captured header replayed with another input stops here), then the input's size is bounded, and
 * only then is the input hashed and compared with the signed hash. Nobody without a staked
 * worker's key makes the API hash anything.
 */
@Injectable()
export class WorkerAuthService {
  private readonly stakeChecks = new Map<Address, { active: boolean; at: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly protocol: ProtocolService,
  ) {}

  /**
   * Returns the authenticated worker address, or throws a coded error. `requireRegistered` is
   * false only for registerWorker. The nonce is consumed last, after every other check passed.
   */
  async authenticate(
    auth: WorkerAuthInput,
    operation: string,
    input: unknown,
    requireRegistered = true,
  ): Promise<Address> {
    if (!isAddress(auth.worker, { strict: false }))
      throw new WorkersError('WORKER_AUTH_INVALID', 'auth.worker is not an address');
    if (!BYTES32_PATTERN.test(auth.nonce))
      throw new WorkersError('WORKER_AUTH_INVALID', 'auth.nonce must be 0x and 64 hex digits');
    if (!BYTES32_PATTERN.test(auth.payloadHash))
      throw new WorkersError('WORKER_AUTH_INVALID', 'auth.payloadHash must be 0x and 64 hex digits');
    if (!SIGNATURE_PATTERN.test(auth.signature)) {
      throw new WorkersError(
        'WORKER_AUTH_INVALID',
        'auth.signature must be a 65-byte signature, 0x and 130 hex digits',
      );
    }
    assertCanonicalSignature(auth.signature, 'auth.signature', 'WORKER_AUTH_INVALID');
    const worker = getAddress(auth.worker);
    const now = Math.floor(Date.now() / 1000);
    if (auth.deadline < now)
      throw new WorkersError('WORKER_AUTH_EXPIRED', `the call expired at ${auth.deadline} (now ${now})`);
    if (auth.deadline > now + MAX_AUTH_DEADLINE_SECONDS) {
      throw new WorkersError(
        'WORKER_AUTH_INVALID',
        `auth.deadline may be at most ${MAX_AUTH_DEADLINE_SECONDS} s ahead`,
      );
    }
    const call = {
      worker,
      operation,
      payloadHash: auth.payloadHash.toLowerCase() as Hex,
      nonce: auth.nonce.toLowerCase() as Hex,
      deadline: BigInt(auth.deadline),
    };
    const signer = await recoverWorkerCallSigner(this.protocol.domain, call, auth.signature as Hex);
    if (signer !== worker) {
      throw new WorkersError(
        'WORKER_AUTH_INVALID',
        `the signature does not match worker ${worker} for ${operation} with this input, nonce and deadline`,
      );
    }
    if (requireRegistered) await this.assertRegistered(worker);
    await this.assertActive(worker);
    await this.consumeNonce(worker, call.nonce, auth.deadline);
    assertPayloadBounded(operation, input);
    if (payloadHash(input) !== call.payloadHash) {
      throw new WorkersError(
        'WORKER_AUTH_INVALID',
        `the signature does not match worker ${worker} for ${operation} with this input, nonce and deadline (auth.payloadHash is not the hash of this input)`,
      );
    }
    return worker;
  }

  private async assertRegistered(worker: Address): Promise<void> {
    const rows = returnedRows(
      await this.dataSource.query(
        'UPDATE workers SET last_seen_at = now() WHERE address = $1 RETURNING address',
        [worker],
      ),
    );
    if (rows.length === 0)
      throw new WorkersError(
        'WORKER_NOT_REGISTERED',
        `worker ${worker} is not registered; call registerWorker first`,
      );
  }

  private async assertActive(worker: Address): Promise<void> {
    const cached = this.stakeChecks.get(worker);
    let active = cached && Date.now() - cached.at < STAKE_CHECK_TTL_MS ? cached.active : undefined;
    if (active === undefined) {
      active = await this.protocol.isActive(worker);
      this.stakeChecks.set(worker, { active, at: Date.now() });
    }
    if (!active) {
      throw new WorkersError(
        'WORKER_NOT_STAKED',
        `worker ${worker} is not active in WorkerRegistry ${this.protocol.workerRegistry}: stake the minimum (verity worker --stake) first`,
      );
    }
  }

  private async consumeNonce(worker: Address, nonce: Hex, deadline: number): Promise<void> {
    const rows = returnedRows(
      await this.dataSource.query(
        `INSERT INTO worker_call_nonces (worker, nonce, expires_at) VALUES ($1, $2, to_timestamp($3))
       ON CONFLICT DO NOTHING RETURNING nonce`,
        [worker, nonce, deadline],
      ),
    );
    if (rows.length === 0)
      throw new WorkersError('WORKER_AUTH_REPLAYED', `nonce ${nonce} was already used by ${worker}`);
  }

  /** Forgets nonces whose deadline passed (a call carrying them is refused as expired anyway). */
  async pruneNonces(): Promise<number> {
    const rows = returnedRows(
      await this.dataSource.query(
        "DELETE FROM worker_call_nonces WHERE expires_at < now() - interval '5 seconds' RETURNING nonce",
      ),
    );
    return rows.length;
  }
}
