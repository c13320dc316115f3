import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { ModelRegistryAbi } from '../../../src/chain/generated/contracts';
import { ModelsService } from '../../../src/models/models.service';
import { SettlementLoops } from '../../../src/settlement/settlement-loops';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until } from '../../support/until';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

describe('the settlement module in the API process', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs its loops from boot: a registered model reaches the ModelRegistry', async () => {
    const loops = app.app.get(SettlementLoops);
    expect(loops.loops.every((loop) => loop.isRunning)).toBe(true);
    const { model } = await app.app.get(ModelsService).register({
      name: 'linear',
      onnxBase64: readFileSync(join(FIXTURES, 'onnx-conformance', '1l_linear', 'network.onnx')).toString(
        'base64',
      ),
    });
    await until('the model to be registered on-chain', async () => {
      const allowed = await app.runtime.chain.publicClient.readContract({
        address: app.runtime.deployment.contracts.ModelRegistry,
        abi: ModelRegistryAbi,
        functionName: 'allows',
        args: [model.commitment as Hex, 2],
      });
      return allowed;
    });
  });

  it('stops its loops, waiting for the iteration in progress, when the application shuts down', async () => {
    const loops = app.app.get(SettlementLoops);
    await loops.beforeApplicationShutdown();
    expect(loops.loops.some((loop) => loop.isRunning)).toBe(false);
  });
});
