import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { query } from './sql';

/** What a lease does when it is won and when it is lost (or given up). */
export interface LeaseDuty {
  start(token: bigint): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface DutyLeaseOptions {
  /** How long a lease lasts without renewal (the longest a dead holder keeps a duty from the others). */
  ttlMs: number;
  /** How often the holder renews and the others try to take it; well under ttlMs. */
  renewMs: number;
  log: { log(message: string): void; warn(message: string): void };
}

/** A holder's name in duty_leases: the host, the process and a random part (two processes never share one). */
export function leaseHolderName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * A duty that must run in one process at a time while several share the database (API replicas):
 * a row of duty_leases held until `expires_at`, renewed every `renewMs`, taken by another process
 * only once it has expired. Times are the database's (`now()`), so the processes' clocks do not
 * matter for who may take it.
 *
 * The holder gives the duty up on its own before the row expires: `held` turns false once
 * `ttlMs - renewMs` has passed on the local clock since the last renewal began, a bound that errs
 * early (a renewal is dated by the database after it was sent). A holder that cannot renew (the
 * database is unreachable, the event loop stalled) therefore stops before another can start, and
 * callers that act outside the database (a transaction sent to the chain) check `held` just before
 * acting (the fence). `token` grows at each change of holder: what a holder did under an old token
 * can be told apart.
 */
export class DutyLease {
  readonly holder = leaseHolderName();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private heldToken: bigint | undefined;
  /** Local time (ms) until which the lease is surely ours. */
  private validUntil = 0;
  private renewing: Promise<void> | undefined;
  private duties: LeaseDuty[] = [];
  private lastFailure: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    readonly name: string,
    private readonly options: DutyLeaseOptions,
  ) {}

  /** Whether this process holds the lease now (checked against the local bound, not the database). */
  get held(): boolean {
    return this.heldToken !== undefined && Date.now() < this.validUntil;
  }

  /** Whether the lease is being competed for at all (a process that runs no duties never starts it). */
  get active(): boolean {
    return this.running;
  }

  get token(): bigint | undefined {
    return this.held ? this.heldToken : undefined;
  }

  /** Adds a duty: started when the lease is won (at once if it is held), stopped when it is lost. */
  async add(duty: LeaseDuty): Promise<void> {
    this.duties.push(duty);
    if (this.held && this.heldToken !== undefined) await duty.start(this.heldToken);
  }

  /** Starts competing for the lease; the first attempt is awaited. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.tick();
  }

  /** Stops competing: stops the duties and expires the row, so another process takes it at its next attempt. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
    if (this.heldToken === undefined) return;
    await this.lose('shutting down');
    // Expired, not deleted: the next holder's token must still be greater than ours.
    await query(this.dataSource, `UPDATE duty_leases SET expires_at = now() - interval '1 second' WHERE name = $1 AND holder = $2`, [
      this.name,
      this.holder,
    ]).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    this.renewing = this.renewOrTake().finally(() => (this.renewing = undefined));
    await this.renewing;
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.options.renewMs);
  }

  private async renewOrTake(): Promise<void> {
    const startedAt = Date.now();
    if (this.heldToken !== undefined && startedAt >= this.validUntil) await this.lose('its renewal came too late');
    let rows: { token: string }[];
    try {
      // One statement: take a missing or expired row, or renew our own. A new holder bumps the token.
      rows = await query<{ token: string }>(
        this.dataSource,
        `INSERT INTO duty_leases AS l (name, holder, token, expires_at, acquired_at)
         VALUES ($1, $2, 1, now() + make_interval(secs => $3::double precision / 1000), now())
         ON CONFLICT (name) DO UPDATE
           SET holder = EXCLUDED.holder,
               token = CASE WHEN l.holder = EXCLUDED.holder THEN l.token ELSE l.token + 1 END,
               acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END,
               expires_at = EXCLUDED.expires_at
           WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
         RETURNING token`,
        [this.name, this.holder, this.options.ttlMs],
      );
    } catch (error) {
      const text = (error as Error).message;
      if (this.lastFailure !== text) this.options.log.warn(`lease ${this.name}: cannot reach the database (${text})`);
      this.lastFailure = text;
      if (this.heldToken !== undefined && Date.now() >= this.validUntil) await this.lose('it could not be renewed');
      return;
    }
    this.lastFailure = undefined;
    if (rows.length === 0) {
      if (this.heldToken !== undefined) await this.lose('another process holds it');
      return;
    }
    const token = BigInt(rows[0].token);
    if (this.heldToken !== undefined && this.heldToken !== token) await this.lose('another process took it');
    this.validUntil = startedAt + this.options.ttlMs - this.options.renewMs;
    if (this.heldToken === undefined) {
      this.heldToken = token;
      this.options.log.log(`lease ${this.name}: held by this process (${this.holder}, token ${token})`);
      for (const duty of this.duties) await duty.start(token);
    }
  }

  private async lose(why: string): Promise<void> {
    this.heldToken = undefined;
    this.validUntil = 0;
    this.options.log.warn(`lease ${this.name}: given up because ${why}; its duties stop here`);
    for (const duty of this.duties) await duty.stop();
  }
}
