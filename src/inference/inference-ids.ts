import { encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from 'viem';

/** Domain tag of request ids minted by the API (on-chain ids hash (chainid, settlement, nonce)). */
const API_REQUEST_TAG = keccak256(stringToHex('verity.api-request.v1'));

/**
 * The bytes32 request id of an API request: keccak256(abi.encode(tag, chainId, settlement, uuid)).
 * It names the request in result leaves and worker signatures. Its preimage is four words, an
 * on-chain request id's three (Settlement.requestInference), so the two can never collide.
 */
export function apiRequestId(chainId: number, settlement: Address, inferenceId: string): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }, { type: 'string' }],
      [API_REQUEST_TAG, BigInt(chainId), settlement, inferenceId],
    ),
  );
}
