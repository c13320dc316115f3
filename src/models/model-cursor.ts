import { ModelsError } from './models.errors';

/** Opaque keyset cursor: base64url of "<ISO created_at>|<id>". */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) throw new ModelsError('INVALID_CURSOR', 'after is not a cursor from this API');
  return { createdAt, id };
}
