/**
 * `verity check <inference id | 0x request id>`: every check of the client's verifyResult, run
 * against the chain, each printed with what it compared; exit code 1 when any fails. The API only
 * supplies the candidate result and its evidence; the Settlement address comes from --settlement
 * or from the deployment `verity serve` recorded on this machine, never from the API.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createPublicClient, getAddress, http, isAddress, type Address, type PublicClient } from 'viem';
import { deploymentFile, type Deployment } from '../chain/deployments';
import { createVerityClient, VerityClientError, type VerificationReport } from '../client';
import { loadClientCommandConfig } from '../config/load-config';
import { guarded, print } from './engine.commands';

interface CheckOptions {
  apiUrl?: string;
  rpcUrl?: string;
  settlement?: string;
  json?: boolean;
}

/** The Settlement to trust: --settlement, else this machine's record of the chain's deployment. */
async function trustedSettlement(publicClient: PublicClient, option: string | undefined, deploymentsDir: string): Promise<{ address: Address; source: string }> {
  if (option !== undefined) {
    if (!isAddress(option)) throw new VerityClientError('INVALID_ARGUMENT', `--settlement must be an address, got ${option}`);
    return { address: getAddress(option), source: '--settlement' };
  }
  const chainId = await publicClient.getChainId();
  const file = deploymentFile(deploymentsDir, chainId);
  if (!existsSync(file)) {
    throw new VerityClientError(
      'CHAIN_NOT_CONFIGURED',
      `pass --settlement <address> (the Settlement contract you trust): no deployment of chain ${chainId} is recorded in ${deploymentsDir}`,
    );
  }
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
  return { address: getAddress(recorded.contracts.Settlement), source: file };
}

function render(report: VerificationReport, claimedStatus: string, settlementSource: string): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const { chain } = report;
  const lines = [
    `inference ${report.inferenceId} (request ${report.requestId}), ${report.mode}; the API says ${claimedStatus}`,
    `chain ${chain.chainId}, Settlement ${chain.settlement} (from ${settlementSource}), block ${chain.blockNumber} at ${new Date(Number(chain.blockTimestamp) * 1000).toISOString()}`,
    ...report.checks.map((c) => `  ${c.ok ? 'pass' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`),
    report.verified ? 'verified: every check passed' : `NOT verified: ${report.failed.join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

async function checkAction(id: string, options: CheckOptions): Promise<void> {
  const config = loadClientCommandConfig();
  const rpcUrl = options.rpcUrl ?? config.rpcUrl;
  if (!rpcUrl) {
    throw new VerityClientError('INVALID_ARGUMENT', "pass --rpc-url (or set RPC_URL): the node of the chain the result settles on (`verity serve` logs its embedded anvil's URL)");
  }
  const publicClient = createPublicClient({ transport: http(rpcUrl) });
  const settlement = await trustedSettlement(publicClient, options.settlement, config.deploymentsDir);
  const client = createVerityClient({ url: options.apiUrl ?? config.apiUrl, publicClient, settlement: settlement.address });
  try {
    const inference = await client.getInference(id);
    const report = await client.checkResult(inference);
    if (options.json) print({ claimedStatus: inference.status, settlementSource: settlement.source, ...report }, true);
    else process.stdout.write(render(report, inference.status, settlement.source));
    if (!report.verified) process.exitCode = 1;
  } finally {
    await client.close();
  }
}

export function registerCheckCommands(program: Command): void {
  program
    .command('check')
    .description("check an inference's result against the chain without trusting the API: leaf, batch root, worker signature and stake, window, disputes (optimistic) or the on-chain verifier and Settlement's record (zk); exit code 1 when a check fails")
    .argument('<id>', 'the inference id, or its 0x request id')
    .option('--api-url <url>', 'the API (default VERITY_API_URL)')
    .option('--rpc-url <url>', 'the chain node (default RPC_URL)')
    .option('--settlement <address>', "the Settlement contract you trust (default: this machine's recorded deployment of the node's chain)")
    .option('--json', 'print the report as JSON')
    .action(guarded(checkAction));
}
