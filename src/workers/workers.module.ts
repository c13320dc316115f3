import { Module } from '@nestjs/common';
import { JobsService } from './jobs.service';
import { LeaseReaper } from './lease-reaper';
import { ProtocolService } from './protocol.service';
import { WorkerApiResolver } from './worker-api.resolver';
import { WorkerAuthService } from './worker-auth.service';
import { WorkersService } from './workers.service';

/** The API workers pull jobs from: authentication, registration, leases, result submission. */
@Module({
  providers: [
    WorkerApiResolver,
    WorkerAuthService,
    WorkersService,
    JobsService,
    ProtocolService,
    LeaseReaper,
  ],
  exports: [ProtocolService],
})
export class WorkersModule {}
