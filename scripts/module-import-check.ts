/**
 * The module-level import graph of src/ and its checks, run by src/module-imports.spec.ts.
 *
 * A module is a top-level folder of src/ (`settlement`) or a file at its root (`main.ts`). Every
 * relative import, export-from, dynamic import and require of a source (specs left out: they may
 * reach into any module for fixtures) is resolved to the module it lands in; imports of packages
 * and of files outside src/ are not edges. Type-only imports count: a cycle through types is
 * still a cycle between modules.
 */
import { posix } from 'node:path';
import * as ts from 'typescript';
import type { ModuleRule } from './module-boundaries';

/** A source, by its path relative to src/ with `/` separators. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface ModuleEdge {
  from: string;
  to: string;
  /** The first import that makes this edge, as `file:line`. */
  site: string;
}

/** The module of a path relative to src/ (`chain/chain-clients.ts` -> chain, `main.ts` -> main.ts). */
export function moduleOf(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}

/** The source an import specifier names, as TypeScript resolves it (file, then folder index). */
function resolveImport(fromPath: string, specifier: string, paths: ReadonlySet<string>): string | null {
  const base = posix.normalize(posix.join(posix.dirname(fromPath), specifier));
  if (base.startsWith('..')) return null;
  const candidates = [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')];
  return candidates.find((candidate) => paths.has(candidate)) ?? null;
}

/** The edges between modules, each with the first import that makes it, sorted. */
export function moduleEdges(sources: readonly SourceFile[]): ModuleEdge[] {
  const paths = new Set(sources.map((source) => source.path));
  const edges = new Map<string, ModuleEdge>();
  for (const source of sources) {
    const from = moduleOf(source.path);
    const info = ts.preProcessFile(source.text, true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = resolveImport(source.path, imported.fileName, paths);
      if (target === null) continue;
      const to = moduleOf(target);
      const key = `${from} -> ${to}`;
      if (from === to || edges.has(key)) continue;
      const line = source.text.slice(0, imported.pos).split('\n').length;
      edges.set(key, { from, to, site: `${source.path}:${line}` });
    }
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Every set of modules that import each other, directly or through others (Tarjan's SCCs). */
export function moduleCycles(edges: readonly ModuleEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const node of [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort())
    if (!index.has(node)) visit(node);
  return cycles;
}

/** The imports the table does not allow, and the modules it does not list, as readable lines. */
export function boundaryViolations(
  sources: readonly SourceFile[],
  edges: readonly ModuleEdge[],
  rules: Readonly<Record<string, ModuleRule>>,
): string[] {
  const unlisted = [...new Set(sources.map((source) => moduleOf(source.path)))]
    .filter((name) => !Object.hasOwn(rules, name))
    .map((name) => `module ${name} is not in scripts/module-boundaries.ts`);
  const refused = edges
    .filter((edge) => Object.hasOwn(rules, edge.from) && !rules[edge.from].mayImport.includes(edge.to))
    .map((edge) => `${edge.from} may not import ${edge.to} (${edge.site})`);
  return [...unlisted, ...refused];
}

/** The table as docs/architecture.md shows it. */
export function renderBoundaries(rules: Readonly<Record<string, ModuleRule>>): string {
  const rows = Object.entries(rules).map(
    ([name, rule]) =>
      `| \`${name}\` | ${rule.owns} | ${rule.mayImport.map((to) => `\`${to}\``).join(', ') || '(nothing)'} |`,
  );
  return ['| Module | Owns | May import |', '| --- | --- | --- |', ...rows].join('\n');
}
