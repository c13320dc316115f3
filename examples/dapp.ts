/**
 * A dapp's whole use of Verity through the typed client: register the MNIST model, request an
 * inference of one handwritten digit, wait until the API says FINAL, and check that claim against
 * the chain without trusting the API (verifyResult).
 *
 * Against the embedded default (`npm start` in another terminal; it logs its anvil's URL):
 *
 *   RPC_URL=http://127.0.0.1:<anvil port> npm run example:dapp
 *
 * Environment: VERITY_API_URL (default http://127.0.0.1:4000/graphql), RPC_URL (required: the node
 * of the chain Verity settles on), VERITY_SETTLEMENT (the Settlement address you trust; unset, the
 * example asks the API, which a real dapp must not do), DAPP_TIMEOUT_SECONDS (default 1200: the
 * embedded default's challenge window is 600 s). CI runs it (test/e2e/example-dapp.e2e-spec.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, getAddress, http, type Address } from 'viem';
import { createVerityClient, isVerityClientError } from 'verity/client';

const MNIST = join(__dirname, '..', 'test', 'fixtures', 'mnist');

/** Digit `index` of the MNIST fixture, as the model takes it: 784 pixels scaled to 0..1 (byte / 255). */
function digit(index: number): { label: number; pixels: number[] } {
  const holdout = JSON.parse(readFileSync(join(MNIST, 'holdout.json'), 'utf8')) as {
    inputs_base64_u8: string[];
    package_refs: [number, number][];
  };
  const bytes = Buffer.from(holdout.inputs_base64_u8[index], 'base64');
  return { label: holdout.package_refs[index][0], pixels: Array.from(bytes, (byte) => byte / 255) };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const url = process.env.VERITY_API_URL ?? 'http://127.0.0.1:4000/graphql';
  const rpcUrl = process.env.RPC_URL;
  if (!rpcUrl) throw new Error('set RPC_URL to the node of the chain Verity settles on (`npm start` logs its anvil URL)');
  const publicClient = createPublicClient({ transport: http(rpcUrl) });

  let settlement = process.env.VERITY_SETTLEMENT as Address | undefined;
  if (!settlement) {
    // Only for a local try-out: a dapp pins the Settlement of the deployment it trusts.
    settlement = getAddress((await createVerityClient({ url }).getProtocol()).settlement);
    log(`warning: VERITY_SETTLEMENT unset, using the API's word for it: ${settlement}`);
  }
  const verity = createVerityClient({ url, publicClient, settlement });
  try {
    const calibration = (JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }).input_data;
    const model = await verity.registerModel({
      name: 'mnist-mlp',
      onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'),
      calibration,
    });
    log(`model ${model.id} registered: commitment ${model.commitment}, input shape ${model.inputShape.join('x')}`);

    const { label, pixels } = digit(0);
    const requested = await verity.requestInference({ modelId: model.id, input: pixels, mode: 'OPTIMISTIC', clientRequestId: `example-dapp-${model.commitment}` });
    log(`inference ${requested.id} requested (request id ${requested.requestId}) for a handwritten ${label}`);

    const final = await verity.waitForFinal(requested.id, {
      timeoutMs: Number(process.env.DAPP_TIMEOUT_SECONDS ?? 1200) * 1000,
      onStatus: (update) => log(`  status ${update.status}`),
    });
    const logits = final.output ?? [];
    const predicted = logits.indexOf(Math.max(...logits));
    log(`the API says FINAL: predicted ${predicted} (logits ${logits.map((v) => v.toFixed(2)).join(', ')})`);

    const report = await verity.verifyResult(final);
    for (const check of report.checks) log(`  pass ${check.name}: ${check.detail}`);
    log(`verified on chain ${report.chain.chainId} at block ${report.chain.blockNumber}: the output is final without trusting the API`);
  } finally {
    await verity.close();
  }
}

main().catch((error: unknown) => {
  if (isVerityClientError(error)) log(`failed: [${error.code}] ${error.message}`);
  else log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
