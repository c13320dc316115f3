/**
 * Finds inference status literals written in SQL outside the lifecycle module
 * (src/inference/lifecycle), where every status change and status filter is built from the
 * transition table. Run by src/inference/lifecycle/status-literals.spec.ts over src/.
 *
 * It reports, in a TypeScript source:
 * - `quoted`: a string or template text holding a status as an SQL literal (`status = 'FINAL'`,
 *   `THEN 'FAILED'`, `IN ('COMMITTED', ...)`), whatever table the statement reads: a status of
 *   another table with the same name (result_batches' COMMITTED, zk_circuits' FAILED) is passed
 *   as a parameter instead;
 * - `parameter`: a status as a TypeScript string among the arguments of a call that runs SQL
 *   (`sql(text, [id, 'FAILED'])`, `cond ? 'REQUESTED' : 'FAILED'` there);
 * - `property`: a status assigned to a `status` property (a TypeORM insert or query-builder
 *   parameter), outside specs.
 */
import * as ts from 'typescript';
import { INFERENCE_STATUSES } from '../src/inference/inference-status';

export type StatusLiteralKind = 'quoted' | 'parameter' | 'property';

export interface StatusLiteral {
  file: string;
  line: number;
  kind: StatusLiteralKind;
  text: string;
}

const STATUS_WORDS = INFERENCE_STATUSES.join('|');
const QUOTED_STATUS = new RegExp(`'(${STATUS_WORDS})'`);
const SQL_STATEMENT = /\b(SELECT|UPDATE|INSERT|DELETE)\b/;
const STATUS_SET: ReadonlySet<string> = new Set(INFERENCE_STATUSES);

/** The texts of a string, a template without substitutions, or each part of a template. */
function textsOf(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
  return [];
}

function isStatusString(node: ts.Node): boolean {
  return (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && STATUS_SET.has(node.text);
}

/** Climbs from a value through arrays, conditionals, parentheses and casts. */
function valueHolder(node: ts.Node): ts.Node {
  let current = node;
  while (
    ts.isArrayLiteralExpression(current.parent) ||
    ts.isConditionalExpression(current.parent) ||
    ts.isParenthesizedExpression(current.parent) ||
    ts.isAsExpression(current.parent) ||
    ts.isSatisfiesExpression(current.parent) ||
    ts.isSpreadElement(current.parent)
  ) {
    current = current.parent;
  }
  return current;
}

function runsSql(call: ts.CallExpression): boolean {
  return call.arguments.some((argument) => textsOf(argument).some((text) => SQL_STATEMENT.test(text)));
}

function kindOf(node: ts.Node, isSpec: boolean): StatusLiteralKind | null {
  if (textsOf(node).some((text) => QUOTED_STATUS.test(text))) return 'quoted';
  if (!isStatusString(node)) return null;
  const holder = valueHolder(node);
  const parent = holder.parent;
  if (ts.isCallExpression(parent) && parent.arguments.includes(holder as ts.Expression) && runsSql(parent))
    return 'parameter';
  if (
    !isSpec &&
    ts.isPropertyAssignment(parent) &&
    parent.initializer === holder &&
    parent.name.getText() === 'status'
  )
    return 'property';
  return null;
}

/** The status literals in SQL in one source file. */
export function findStatusLiterals(file: string, source: string): StatusLiteral[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const isSpec = /\.(spec|integration-spec|e2e-spec)\.ts$/.test(file);
  const found: StatusLiteral[] = [];
  const visit = (node: ts.Node): void => {
    const kind = kindOf(node, isSpec);
    if (kind) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
      found.push({ file, line: line + 1, kind, text: node.getText(sourceFile).slice(0, 120) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}
