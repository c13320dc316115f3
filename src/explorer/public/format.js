// @ts-check
/** How the explorer writes values: pure helpers, no DOM. */

/** Statuses after which an inference no longer changes. */
export const TERMINAL_STATUSES = new Set(['FINAL', 'FAILED']);

/** Every status of the lifecycle (schema.graphql InferenceStatus), for the badge colours. */
const STATUSES = new Set([
  'REQUESTED',
  'ASSIGNED',
  'COMPUTED',
  'COMMITTED',
  'PROVING',
  'CHALLENGEABLE',
  'DISPUTED',
  'FINAL',
  'FAILED',
]);

/**
 * The CSS class of a status badge (an unknown status gets the neutral one).
 * @param {string} status
 */
export function statusClass(status) {
  return STATUSES.has(status) ? `status status-${status.toLowerCase()}` : 'status';
}

/**
 * A hash or address shortened for a table cell (the full value goes in the title).
 * @param {string | null | undefined} value
 */
export function short(value) {
  if (!value) return '—';
  return value.length > 20 ? `${value.slice(0, 10)}…${value.slice(-8)}` : value;
}

/**
 * A date-time as UTC, to the second.
 * @param {string | null | undefined} iso
 */
export function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Seconds as "1h 02m 03s" (negative counts as zero).
 * @param {number} seconds
 */
export function duration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/**
 * A list of numbers for display, the first `limit` of them and a count of the rest.
 * @param {readonly (number | string)[] | null | undefined} values
 * @param {number} limit
 */
export function numbers(values, limit) {
  if (!values) return '—';
  const head = values.slice(0, limit).map(String).join(', ');
  return values.length > limit ? `[${head}, … ${values.length - limit} more]` : `[${head}]`;
}

/**
 * The index of the largest value (a classifier's answer), or undefined for an empty list.
 * @param {readonly number[] | null | undefined} values
 */
export function argmax(values) {
  if (!values || values.length === 0) return undefined;
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The page a hash route names: the home page, or one inference.
 * @param {string} hash
 * @returns {{ page: 'home', modelId?: string } | { page: 'inference', id: string } | { page: 'unknown', path: string }}
 */
export function route(hash) {
  const path = hash.replace(/^#/, '') || '/';
  const inference = /^\/inference\/([^/?]+)$/.exec(path);
  if (inference) return { page: 'inference', id: decodeURIComponent(inference[1]) };
  const model = /^\/model\/([^/?]+)$/.exec(path);
  if (model) return { page: 'home', modelId: decodeURIComponent(model[1]) };
  if (path === '/') return { page: 'home' };
  return { page: 'unknown', path };
}

/** @param {string} id */
export const inferenceHref = (id) => `#/inference/${encodeURIComponent(id)}`;
/** @param {string} id */
export const modelHref = (id) => `#/model/${encodeURIComponent(id)}`;
