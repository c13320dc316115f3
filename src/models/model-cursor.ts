import { ModelsError } from './models.errors';

const CURSOR_PATTERN =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Opaque keyset cursor: base64url of "<ISO created_at>|<id>". */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

/**
 * The position a cursor names. Only what encodeCursor writes is accepted (a four-digit-year ISO
 * time and a UUID): anything else would reach PostgreSQL as an id or time it cannot read.
 */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const match = CURSOR_PATTERN.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const createdAt = new Date(match?.[1] ?? '');
  if (!match || Number.isNaN(createdAt.getTime()))
    throw new ModelsError('INVALID_CURSOR', 'after is not a cursor from this API');
  return { createdAt, id: match[2] };
}
