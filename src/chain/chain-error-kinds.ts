/**
 * Kinds of chain errors, told apart by walking viem's cause chain. Pure: no I/O.
 *
 * - transport: the node did not answer (down, restarting, timing out): safe to retry;
 * - revert: the contract refused the call: never retried as is, the decoded custom error says why;
 * - nonce: the node disagrees with the local nonce: re-sync and try again.
 */
import { AppError } from '../common/app-error';
import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  NonceTooHighError,
  NonceTooLowError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
} from 'viem';

export function isTransportError(error: unknown): boolean {
  return (
    walk(
      error,
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        e instanceof WebSocketRequestError ||
        e instanceof SocketClosedError,
    ) !== null
  );
}

export function isRevert(error: unknown): boolean {
  return walk(error, (e) => e instanceof ContractFunctionRevertedError) !== null;
}

export function isNonceError(error: unknown): boolean {
  if (walk(error, (e) => e instanceof NonceTooLowError || e instanceof NonceTooHighError) !== null)
    return true;
  return (
    walk(
      error,
      (e) =>
        e instanceof Error &&
        /nonce too (low|high)|already known|replacement transaction underpriced/i.test(e.message),
    ) !== null
  );
}

/** The custom error a revert decoded to (e.g. `Settlement_NotOpen`), or null. */
export function revertName(error: unknown): string | null {
  const reverted = walk(
    error,
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  return reverted?.data?.errorName ?? null;
}

/** The decoded arguments of a custom-error revert, or null. */
export function revertArgs(error: unknown): readonly unknown[] | null {
  const reverted = walk(
    error,
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  return reverted?.data?.args ?? null;
}

/** `Name(arg, ...)` of a decoded custom-error revert, or null. */
export function describeRevert(error: unknown): string | null {
  const name = revertName(error);
  return name ? `${name}(${(revertArgs(error) ?? []).map(String).join(', ')})` : null;
}

/**
 * One line for logs and `last_error`: our own error's message (it already describes its cause),
 * or viem's short message with its one-line details and the decoded custom error. Never viem's
 * multi-line meta messages (they carry the RPC URL, which may hold an API key) nor any key.
 */
export function describeChainError(error: unknown): string {
  if (error instanceof AppError) return redactUrls(error.message);
  if (error instanceof BaseError) {
    const revert = describeRevert(error);
    if (revert) return redactUrls(`${error.shortMessage} ${revert}`);
    const details =
      error.details && !error.details.includes('\n') && error.details !== error.shortMessage
        ? ` (${error.details})`
        : '';
    return redactUrls(`${error.shortMessage}${details}`);
  }
  if (error instanceof Error) return redactUrls(error.message.split('\n')[0]);
  return String(error);
}

function redactUrls(text: string): string {
  return text.replace(/\b(https?|wss?):\/\/[^\s"')]+/gi, (url) => {
    try {
      return `${new URL(url).protocol}//${new URL(url).host}/…`;
    } catch {
      return '<url>';
    }
  });
}

function walk(error: unknown, match: (e: unknown) => boolean): unknown {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 16; depth++) {
    if (match(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
