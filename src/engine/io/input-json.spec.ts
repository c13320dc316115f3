import { parseInputJson, parseInputs } from './input-json';

describe('input JSON parsing', () => {
  it('reads the fixtures format with one entry per sample', () => {
    expect(parseInputs({ input_data: [[1, 2, 3]], output_data: [[0]] })).toEqual([[1, 2, 3]]);
  });

  it('reads a plain input array and a nested batch', () => {
    expect(parseInputs({ input: [1, 2] })).toEqual([[1, 2]]);
    expect(parseInputs({ input: [[1, 2], [3, 4]] })).toEqual([[1, 2], [3, 4]]);
  });

  it('rejects text that is not JSON and objects without an input', () => {
    expect(() => parseInputJson('{')).toThrow(expect.objectContaining({ code: 'INPUT_FORMAT' }));
    expect(() => parseInputs({ x: [1] })).toThrow(expect.objectContaining({ code: 'INPUT_FORMAT' }));
  });

  it('rejects null entries (how JSON writers encode NaN) as non-finite', () => {
    expect(() => parseInputs({ input: [1, null] })).toThrow(expect.objectContaining({ code: 'NON_FINITE_INPUT' }));
  });
});
