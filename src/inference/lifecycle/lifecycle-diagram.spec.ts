import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIFECYCLE_DOC_BEGIN, LIFECYCLE_DOC_END, lifecycleDiagram, lifecycleDoc } from './lifecycle-diagram';
import { TRANSITIONS } from './lifecycle-transitions';

const SERVICE_DOC = join(__dirname, '..', '..', '..', 'docs', 'service.md');

/** The generated part of a doc: from the begin marker through the end marker. */
function generatedPart(doc: string): string | null {
  const begin = doc.indexOf(LIFECYCLE_DOC_BEGIN);
  const end = doc.indexOf(LIFECYCLE_DOC_END);
  return begin < 0 || end < begin ? null : doc.slice(begin, end + LIFECYCLE_DOC_END.length);
}

describe('the lifecycle diagram', () => {
  it('draws one arrow per transition and from status, with the transition name', () => {
    const arrows = lifecycleDiagram()
      .split('\n')
      .filter((line) => / --> (?!\[\*\])/.test(line) && !line.includes('[*] -->'));
    const expected = Object.entries(TRANSITIONS).flatMap(([name, t]) =>
      t.from.map((from) => `  ${from} --> ${t.to} : ${name}`),
    );
    expect(arrows).toEqual(expected);
  });

  it('is in docs/service.md exactly as the table generates it', () => {
    const part = generatedPart(readFileSync(SERVICE_DOC, 'utf8'));
    if (part !== lifecycleDoc()) {
      throw new Error(
        `docs/service.md's lifecycle section differs from TRANSITIONS: replace the part between its markers with\n\n${lifecycleDoc()}`,
      );
    }
  });

  it('tells a doc that drifted from the table', () => {
    const drifted = lifecycleDoc().replace(' : claim', ' : take');
    expect(generatedPart(`intro\n${drifted}\noutro`)).not.toBe(lifecycleDoc());
    expect(generatedPart(`intro\n${lifecycleDoc()}\noutro`)).toBe(lifecycleDoc());
    expect(generatedPart('no markers')).toBeNull();
  });
});
