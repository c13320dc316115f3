import { Inject, Injectable } from '@nestjs/common';
import { getAddress, type Address, type TypedDataDomain } from 'viem';
import { DisputeGameAbi, SettlementAbi, WorkerRegistryAbi } from '../chain/generated/contracts';
import { verityDomain } from '../chain/typed-data';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import type { ProtocolInfo } from './dto/worker-api.types';

/** The deployment's addresses and on-chain parameters (read from the contracts once). */
@Injectable()
export class ProtocolService {
  private info?: Promise<ProtocolInfo>;

  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  get domain(): TypedDataDomain {
    return verityDomain(this.runtime.chain.chain.id, this.runtime.deployment.contracts.Settlement);
  }

  get workerRegistry(): Address {
    return this.runtime.deployment.contracts.WorkerRegistry;
  }

  protocol(): Promise<ProtocolInfo> {
    this.info ??= this.read().catch((error: unknown) => {
      this.info = undefined;
      throw error;
    });
    return this.info;
  }

  /** Whether `worker` is staked and not leaving (WorkerRegistry.isActive). */
  async isActive(worker: Address): Promise<boolean> {
    return this.runtime.chain.publicClient.readContract({
      address: this.workerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'isActive',
      args: [worker],
    });
  }

  private async read(): Promise<ProtocolInfo> {
    const { publicClient } = this.runtime.chain;
    const { contracts } = this.runtime.deployment;
    const settlement = { address: contracts.Settlement, abi: SettlementAbi } as const;
    const [challengeWindow, minimumStake, disputeGame] = await Promise.all([
      publicClient.readContract({ ...settlement, functionName: 'challengeWindow' }),
      publicClient.readContract({
        address: contracts.WorkerRegistry,
        abi: WorkerRegistryAbi,
        functionName: 'minimumStake',
      }),
      publicClient.readContract({ ...settlement, functionName: 'disputeGame' }),
    ]);
    // The game the Settlement accepts callbacks from is the one disputes must be opened in.
    const game = { address: disputeGame, abi: DisputeGameAbi } as const;
    const [challengerBond, maxClock] = await Promise.all([
      publicClient.readContract({ ...game, functionName: 'challengerBondWei' }),
      publicClient.readContract({ ...game, functionName: 'maxClockSeconds' }),
    ]);
    return {
      chainId: this.runtime.chain.chain.id,
      settlement: getAddress(contracts.Settlement),
      workerRegistry: getAddress(contracts.WorkerRegistry),
      modelRegistry: getAddress(contracts.ModelRegistry),
      challengeWindowSeconds: Number(challengeWindow),
      minimumStakeWei: minimumStake.toString(),
      disputeGame: getAddress(disputeGame),
      challengerBondWei: challengerBond.toString(),
      maxClockSeconds: Number(maxClock),
    };
  }
}
