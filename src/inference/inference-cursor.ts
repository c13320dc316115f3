import { InferenceError } from './inference.errors';

const PREFIX = 'inference:';
const MAX_BIGINT = 2n ** 63n - 1n;

/** Opaque keyset cursor over the insertion sequence: base64url of "inference:<seq>". */
export function encodeInferenceCursor(seq: string): string {
  return Buffer.from(`${PREFIX}${seq}`).toString('base64url');
}

export function decodeInferenceCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  // The sequence is a PostgreSQL bigint: 19 digits may still be above its largest value.
  if (!/^[1-9]\d{0,18}$/.test(seq) || BigInt(seq) > MAX_BIGINT)
    throw new InferenceError('INVALID_CURSOR', 'after is not a cursor from the inferences query');
  return seq;
}
