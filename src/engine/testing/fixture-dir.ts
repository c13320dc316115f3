import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseInputs } from '../io/input-json';

/** The model folders of a fixture directory (each `network.onnx` + `input.json`), sorted. */
export function fixtureNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** One fixture's ONNX bytes and its inputs (`input_data`, one list per sample). */
export function loadFixture(dir: string, name: string): { bytes: Buffer; inputs: number[][] } {
  return {
    bytes: readFileSync(join(dir, name, 'network.onnx')),
    inputs: parseInputs(JSON.parse(readFileSync(join(dir, name, 'input.json'), 'utf8'))),
  };
}
