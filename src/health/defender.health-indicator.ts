import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ChallengesLoops } from '../challenges/challenges-loops';
import { DEFENDER_STALE_AFTER_SECONDS, DefenderHeartbeat } from '../challenges/defender-heartbeat';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';

/**
 * Whether someone answers disputes on the service's results. With DEFENDER_MODE=in-process, up
 * while this process's dispute loops run. Otherwise (a `verity serve` child, or an external
 * `verity defender`), up while the freshest defender heartbeat in the database is at most
 * DEFENDER_STALE_AFTER_SECONDS old: the defender writes one after every full pass, so a process
 * that is gone or stuck goes stale.
 */
@Injectable()
export class DefenderHealthIndicator {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly indicators: HealthIndicatorService,
    private readonly heartbeat: DefenderHeartbeat,
    private readonly loops: ChallengesLoops,
  ) {}

  async check(key = 'defender'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const { mode } = this.runtime.config.defender;
    let beat;
    try {
      beat = await this.heartbeat.latest();
    } catch (error) {
      return indicator.down({ mode, message: `heartbeat unreadable: ${(error as Error).message.split('\n')[0]}` });
    }
    const last = beat
      ? { address: beat.address, pid: beat.pid, host: beat.host, lastBeatAt: beat.beatAt.toISOString(), ageSeconds: Math.round(beat.ageSeconds) }
      : {};
    // In-process, the loops run in the replica that holds the account's lease: this one, or
    // another whose heartbeat says whether it is alive.
    if (mode === 'in-process' && this.loops.isRunning) return indicator.up({ mode, ...last });
    if (!beat) return indicator.down({ mode, message: 'no defender has reported a heartbeat yet' });
    if (beat.ageSeconds > DEFENDER_STALE_AFTER_SECONDS) {
      return indicator.down({ mode, ...last, message: `the last defender heartbeat is ${Math.round(beat.ageSeconds)} s old` });
    }
    return indicator.up({ mode, ...last });
  }
}
