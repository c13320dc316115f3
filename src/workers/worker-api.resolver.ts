import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { SkipThrottle } from '@nestjs/throttler';
import {
  ClaimJobsInput,
  HeartbeatInput,
  HeartbeatResult,
  Job,
  ProtocolInfo,
  RegisterWorkerInput,
  SubmitResultsInput,
  Worker,
  WorkerAuthInput,
} from './dto/worker-api.types';
import { JobsService } from './jobs.service';
import { ProtocolService } from './protocol.service';
import { WorkerAuthService } from './worker-auth.service';
import { WorkersService } from './workers.service';

/**
 * The API workers pull jobs from. Every mutation is authenticated by `auth`: an EIP-712 WorkerCall
 * signed by the worker over the mutation's name and the canonical JSON of `input`. Authenticated,
 * staked workers are not rate limited (their long-polls would otherwise eat the budget).
 */
@Resolver()
@SkipThrottle()
export class WorkerApiResolver {
  constructor(
    private readonly auth: WorkerAuthService,
    private readonly workers: WorkersService,
    private readonly jobs: JobsService,
    private readonly protocolService: ProtocolService,
  ) {}

  @Query(() => ProtocolInfo, {
    description: 'Chain, contracts and parameters (the EIP-712 domain of worker signatures)',
  })
  protocol(): Promise<ProtocolInfo> {
    return this.protocolService.protocol();
  }

  @Mutation(() => Worker, { description: 'Registers a staked worker (or refreshes its name and backend)' })
  async registerWorker(
    @Args('input') input: RegisterWorkerInput,
    @Args('auth') auth: WorkerAuthInput,
  ): Promise<Worker> {
    const worker = await this.auth.authenticate(auth, 'registerWorker', input, false);
    return this.workers.register(worker, input);
  }

  @Mutation(() => [Job], { description: 'Leases up to maxJobs queued jobs, long-polling up to waitMs' })
  async claimJobs(@Args('input') input: ClaimJobsInput, @Args('auth') auth: WorkerAuthInput): Promise<Job[]> {
    const worker = await this.auth.authenticate(auth, 'claimJobs', input);
    return this.jobs.claim(worker, input);
  }

  @Mutation(() => HeartbeatResult, { description: 'Extends the leases of jobs the worker still holds' })
  async heartbeat(
    @Args('input') input: HeartbeatInput,
    @Args('auth') auth: WorkerAuthInput,
  ): Promise<HeartbeatResult> {
    const worker = await this.auth.authenticate(auth, 'heartbeat', input);
    return this.jobs.heartbeat(worker, input.jobIds);
  }

  @Mutation(() => [String], {
    description: 'Stores signed results, all or nothing; returns the accepted job ids',
  })
  async submitResults(
    @Args('input') input: SubmitResultsInput,
    @Args('auth') auth: WorkerAuthInput,
  ): Promise<string[]> {
    const worker = await this.auth.authenticate(auth, 'submitResults', input);
    return this.jobs.submit(worker, input);
  }
}
