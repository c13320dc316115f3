import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { FORGE_FIXTURES_DIR, forgeFixtures } from '../scripts/forge-fixtures';
import { STEP_OP_CODES } from './engine';

/** Every file under the fixtures folder, relative to it, with '/' separators. */
function committedFiles(dir = FORGE_FIXTURES_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory()
      ? committedFiles(path)
      : [relative(FORGE_FIXTURES_DIR, path).split(sep).join('/')];
  });
}

interface OneStepCase {
  step: number;
  opName: string;
  element: number;
  outputLength: number;
}

describe('the forge fixtures (test/forge/fixtures, written by scripts/forge-fixtures.ts)', () => {
  const generated = forgeFixtures();

  it('are the committed files, byte for byte, and nothing else (else run `npm run forge:fixtures`)', () => {
    expect(committedFiles().sort()).toEqual([...generated.keys()].sort());
    const stale = [...generated].filter(
      ([path, content]) => readFileSync(join(FORGE_FIXTURES_DIR, path), 'utf8') !== content,
    );
    expect(stale.map(([path]) => path)).toEqual([]);
  });

  it('give the one-step tests every op of the semantics, each inside and (for the last step) past its output', () => {
    const cases = [...generated]
      .filter(([path]) => path.startsWith('one-step/'))
      .flatMap(([, content]) => (JSON.parse(content) as { cases: OneStepCase[] }).cases);
    expect([...new Set(cases.map((c) => c.opName))].sort()).toEqual(Object.keys(STEP_OP_CODES).sort());
    expect(cases.filter((c) => c.element >= c.outputLength).length).toBeGreaterThanOrEqual(2);
  });

  it('give the dispute test a worker trace that differs from the honest one in exactly one value', () => {
    const game = JSON.parse(generated.get('dispute/hand-pooling.json')!) as {
      tensors: number[][];
      step: number;
      element: number;
      honestValue: number;
      claimedValue: number;
      traceRoot: string;
      claimedTraceRoot: string;
    };
    expect(game.tensors[game.step + 1][game.element]).toBe(game.honestValue);
    expect(game.claimedValue).toBe(game.honestValue + 1);
    expect(game.claimedTraceRoot).not.toBe(game.traceRoot);
  });
});
