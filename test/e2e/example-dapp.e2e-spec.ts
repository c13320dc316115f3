/**
 * examples/dapp.ts as a dapp developer runs it (`npm run example:dapp`: its own process, importing
 * `verity/client` by the package's name), against the API on the embedded chain with a worker: it
 * registers MNIST, requests a digit, follows it to FINAL and verifies the result on-chain. The
 * chain makes a block every second and the challenge window is short, so FINAL comes in real time.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseEther } from 'viem';
import type { ProtocolParameters } from '../../src/chain/deployments';
import { startTestApp, type TestApp } from '../support/test-app';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/worker-process';

const ROOT = join(__dirname, '..', '..');
const SHORT_CLOCKS: ProtocolParameters = {
  minimumStakeWei: parseEther('1'),
  withdrawalDelaySeconds: 60n,
  challengeWindowSeconds: 8n,
  minimumFeeWei: parseEther('0.001'),
  disputeSlashAmountWei: parseEther('0.1'),
  maxClockSeconds: 8n,
};

describe('examples/dapp.ts', () => {
  let app: TestApp;
  let worker: WorkerProcess;
  let rpcUrl: string;

  beforeAll(async () => {
    app = await startTestApp({ ANVIL_BLOCK_TIME_SECONDS: '1' }, { protocolParameters: SHORT_CLOCKS });
    rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
    worker = startWorkerProcess({ key: ANVIL_WORKER_KEYS[1], name: 'example-dapp', apiUrl: app.graphqlUrl, rpcUrl });
  }, 120_000);

  afterAll(async () => {
    if (worker) await stopWorkerProcess(worker);
    await app?.stop();
  });

  it('registers MNIST, requests a digit, waits for FINAL and verifies it against the chain', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=verity-source', '-r', 'ts-node/register/transpile-only', join(ROOT, 'examples', 'dapp.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          VERITY_API_URL: app.graphqlUrl,
          RPC_URL: rpcUrl,
          VERITY_SETTLEMENT: app.runtime.deployment.contracts.Settlement,
          DAPP_TIMEOUT_SECONDS: '150',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const text = output.join('');
    expect({ code, text }).toEqual({ code: 0, text: expect.stringContaining('the output is final without trusting the API') });
    expect(text).toMatch(/model \S+ registered: commitment 0x[0-9a-f]{64}/);
    expect(text).toContain('status CHALLENGEABLE');
    expect(text).toContain('the API says FINAL: predicted 0');
    for (const check of ['OUTPUT_MATCHES_LEAF', 'ROOT_ON_CHAIN', 'WORKER_SIGNATURE', 'SIGNER_STAKED', 'WINDOW_OVER', 'NO_OPEN_DISPUTE', 'LEAF_NOT_DISCARDED']) {
      expect(text).toContain(`pass ${check}`);
    }
    expect(text).not.toContain('warning: VERITY_SETTLEMENT unset');
  }, 240_000);
});
