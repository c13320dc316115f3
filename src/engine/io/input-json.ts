/** Parse input files: the fixtures' `{"input_data": [[...]]}` and plain `{"input": [...]}`. */
import { EngineError } from '../engine.errors';

const FORMATS = 'accepted: {"input": [numbers]}, {"input": [[numbers], ...]}, {"input_data": [[numbers], ...]} or a bare array';

function flatten(value: unknown, where: string): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, `${where}[${i}]`));
  if (value === null || typeof value === 'string') {
    throw new EngineError('NON_FINITE_INPUT', `${where} is ${JSON.stringify(value)}, not a number (NaN and Infinity are not valid JSON numbers)`);
  }
  throw new EngineError('INPUT_FORMAT', `${where} is not a number or an array; ${FORMATS}`);
}

/**
 * One or more flattened inputs. `input_data` holds one entry per model input (the engine
 * supports one model input, so its entries are taken as samples); a nested `input` is a batch.
 */
export function parseInputs(json: unknown): number[][] {
  const body = Array.isArray(json) ? { input: json } : json;
  if (typeof body !== 'object' || body === null) throw new EngineError('INPUT_FORMAT', `input JSON is not an object; ${FORMATS}`);
  const record = body as Record<string, unknown>;
  const raw = record.input_data ?? record.input;
  if (!Array.isArray(raw) || raw.length === 0) throw new EngineError('INPUT_FORMAT', `input JSON has no "input" or "input_data" array; ${FORMATS}`);
  const key = record.input_data !== undefined ? 'input_data' : 'input';
  const isBatch = raw.every((v) => Array.isArray(v));
  return isBatch ? raw.map((v, i) => flatten(v, `${key}[${i}]`)) : [flatten(raw, key)];
}

/** Parse JSON text into inputs; syntax errors are INPUT_FORMAT. */
export function parseInputJson(text: string): number[][] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new EngineError('INPUT_FORMAT', `input is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, {}, { cause });
  }
  return parseInputs(json);
}
