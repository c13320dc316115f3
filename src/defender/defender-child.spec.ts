import { until } from '../../test/support/until';
import pino from 'pino';
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { DefenderChild } from './defender-child';

/** A pino logger whose lines are kept for the test. */
function capturingLog(): { log: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        messages.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), messages };
}

/** The first IPC message of the child a DefenderChild runs now. */
function firstMessage(child: DefenderChild): Promise<string> {
  const internal = (child as unknown as { child: ChildProcess }).child;
  return new Promise((resolve) => internal.once('message', (message) => resolve(message as string)));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DefenderChild', () => {
  it('starts a child that dies again, with a doubling pause, one line each time', async () => {
    const { log, messages } = capturingLog();
    const child = new DefenderChild({
      env: {},
      log,
      command: [process.execPath, '-e', 'process.exit(3)'],
      restartInitialMs: 50,
      restartMaxMs: 100,
    });
    child.start();
    await until('three restarts', () => messages.filter((m) => m.includes('died')).length >= 3, 10_000, 20);
    await child.stop();
    const deaths = messages.filter((m) => m.includes('died'));
    expect(deaths[0]).toMatch(
      /^defender process \d+ died \(exit code 3\) after \d+ s; restarting it in 0.05 s \(restart 1\)$/,
    );
    expect(deaths[1]).toMatch(/restarting it in 0.1 s \(restart 2\)$/);
    expect(deaths[2]).toMatch(/restarting it in 0.1 s \(restart 3\)$/);
    expect(messages.filter((m) => m.startsWith('defender process started')).length).toBeGreaterThanOrEqual(3);
  });

  it('stops a child with SIGTERM, and with SIGKILL when it ignores SIGTERM past the grace period, and does not start it again', async () => {
    const { log, messages } = capturingLog();
    const ignoring = new DefenderChild({
      env: {},
      log,
      command: [
        process.execPath,
        '-e',
        "process.on('SIGTERM', () => undefined); process.send('up'); setInterval(() => undefined, 1000)",
      ],
      stopGraceMs: 300,
    });
    ignoring.start();
    const pid = ignoring.pid!;
    // Up once it says so: its SIGTERM handler is installed.
    expect(await firstMessage(ignoring)).toBe('up');
    const stoppedAt = Date.now();
    await ignoring.stop();
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(250);
    expect(isAlive(pid)).toBe(false);
    expect(messages).toContain(`defender process ${pid} did not stop within 0.3 s: killed`);
    // The child's exit was handled before stop() resolved: a restart would be scheduled (and a
    // death logged) by then.
    expect(ignoring.pid).toBeUndefined();
    expect(messages.filter((m) => m.includes('died'))).toEqual([]);
  });

  it("withholds the committer key and other processes' keys from the child", async () => {
    const { log } = capturingLog();
    process.env.PRIVATE_KEY = `0x${'ab'.repeat(32)}`;
    const child = new DefenderChild({
      env: { DEFENDER_PRIVATE_KEY: `0x${'cd'.repeat(32)}` },
      log,
      command: [
        process.execPath,
        '-e',
        'process.send(JSON.stringify({ own: process.env.DEFENDER_PRIVATE_KEY, committer: process.env.PRIVATE_KEY ?? null })); setInterval(() => undefined, 1000)',
      ],
    });
    try {
      child.start();
      expect(JSON.parse(await firstMessage(child))).toEqual({ own: `0x${'cd'.repeat(32)}`, committer: null });
    } finally {
      delete process.env.PRIVATE_KEY;
      await child.stop();
    }
  });
});
