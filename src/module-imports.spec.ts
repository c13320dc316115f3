import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { MODULE_BOUNDARIES } from '../scripts/module-boundaries';
import {
  boundaryViolations,
  moduleCycles,
  moduleEdges,
  renderBoundaries,
  type SourceFile,
} from '../scripts/module-import-check';

const SRC = __dirname;

/** The sources of src/, specs and generated code left out, paths relative to src/. */
function sources(dir = SRC): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    if (!entry.name.endsWith('.ts') || /\.spec\.ts$/.test(entry.name)) return [];
    return [{ path: relative(SRC, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }];
  });
}

describe('module imports of src/', () => {
  const files = sources();
  const edges = moduleEdges(files);

  it('form no cycle between modules', () => {
    expect(edges.length).toBeGreaterThan(50);
    expect(moduleCycles(edges)).toEqual([]);
  });

  it('follow the allowed directions of scripts/module-boundaries.ts', () => {
    expect(boundaryViolations(files, edges, MODULE_BOUNDARIES)).toEqual([]);
  });

  it('allow no import the code does not make (the table stays tight)', () => {
    const made = new Set(edges.map((edge) => `${edge.from} -> ${edge.to}`));
    const unused = Object.entries(MODULE_BOUNDARIES).flatMap(([from, rule]) =>
      rule.mayImport.map((to) => `${from} -> ${to}`).filter((edge) => !made.has(edge)),
    );
    expect(unused).toEqual([]);
  });

  it('are shown as they are in docs/architecture.md', () => {
    const doc = readFileSync(join(SRC, '..', 'docs', 'architecture.md'), 'utf8');
    expect(doc).toContain(renderBoundaries(MODULE_BOUNDARIES));
  });
});

describe('the module import check', () => {
  const sample: SourceFile[] = [
    { path: 'main.ts', text: "import { a } from './alpha/a';\nimport { Pkg } from 'pkg';" },
    { path: 'alpha/a.ts', text: "import type { B } from '../beta';\nexport const a = 1;" },
    { path: 'beta/index.ts', text: "export * from './b';" },
    { path: 'beta/b.ts', text: "\nimport { c } from '../gamma/c';\nexport type B = 1;" },
    { path: 'gamma/c.ts', text: "export const c = () => import('../alpha/a');" },
    { path: 'delta/d.ts', text: "const x = require('../main');\nimport '../../outside';" },
  ];

  it('resolves files, folder indexes, type imports, dynamic imports and requires to modules', () => {
    expect(moduleEdges(sample).map((edge) => [edge.from, edge.to, edge.site])).toEqual([
      ['alpha', 'beta', 'alpha/a.ts:1'],
      ['beta', 'gamma', 'beta/b.ts:2'],
      ['delta', 'main.ts', 'delta/d.ts:1'],
      ['gamma', 'alpha', 'gamma/c.ts:1'],
      ['main.ts', 'alpha', 'main.ts:1'],
    ]);
  });

  it('finds a cycle through three modules, and none once it is broken', () => {
    expect(moduleCycles(moduleEdges(sample))).toEqual([['alpha', 'beta', 'gamma']]);
    const broken = sample.map((file) =>
      file.path === 'gamma/c.ts' ? { ...file, text: 'export const c = 1;' } : file,
    );
    expect(moduleCycles(moduleEdges(broken))).toEqual([]);
  });

  it('refuses an import the table does not allow and a module it does not list', () => {
    const rules = {
      'main.ts': { owns: 'entry', mayImport: ['alpha'] },
      alpha: { owns: 'a', mayImport: ['beta'] },
      beta: { owns: 'b', mayImport: [] },
      gamma: { owns: 'c', mayImport: ['alpha'] },
    };
    expect(boundaryViolations(sample, moduleEdges(sample), rules)).toEqual([
      'module delta is not in scripts/module-boundaries.ts',
      'beta may not import gamma (beta/b.ts:2)',
    ]);
  });
});
