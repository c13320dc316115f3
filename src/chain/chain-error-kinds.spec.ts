import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  HttpRequestError,
  NonceTooLowError,
} from 'viem';
import { SettlementAbi } from '../chain/generated/contracts';
import { describeChainError, isNonceError, isRevert, isTransportError, revertName } from './chain-error-kinds';

const RPC_WITH_KEY = 'https://user:secret@rpc.example.org/v3/0123456789abcdef';

function revert(): ContractFunctionExecutionError {
  const cause = new ContractFunctionRevertedError({
    abi: SettlementAbi,
    functionName: 'commitBatch',
    // Settlement_EmptyBatch()
    data: '0x3ff66817',
  });
  return new ContractFunctionExecutionError(cause, {
    abi: SettlementAbi,
    functionName: 'commitBatch',
    args: [],
  });
}

describe('chain error kinds', () => {
  it('tells a node that does not answer from a contract that refuses', () => {
    const down = new HttpRequestError({ url: RPC_WITH_KEY, details: 'fetch failed' });
    expect(isTransportError(down)).toBe(true);
    expect(isRevert(down)).toBe(false);
    expect(isTransportError(revert())).toBe(false);
    expect(isRevert(revert())).toBe(true);
    expect(revertName(revert())).toBe('Settlement_EmptyBatch');
  });

  it('recognises a nonce the node disagrees with', () => {
    expect(isNonceError(new NonceTooLowError({ nonce: 3 }))).toBe(true);
    expect(isNonceError(new Error('replacement transaction underpriced'))).toBe(true);
    expect(isNonceError(new Error('execution reverted'))).toBe(false);
  });

  it('describes an error on one line, without the RPC URL or its credentials', () => {
    const text = describeChainError(new HttpRequestError({ url: RPC_WITH_KEY, details: 'fetch failed' }));
    expect(text).toBe('HTTP request failed. (fetch failed)');
    expect(describeChainError(revert())).toMatch(/Settlement_EmptyBatch\(\)$/);
    expect(describeChainError(new Error(`could not reach ${RPC_WITH_KEY}\nmore`))).toBe(
      'could not reach https://rpc.example.org/…',
    );
  });
});
