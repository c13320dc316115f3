/**
 * The API's GraphQL schema as SDL: built from the code-first resolvers (every `*.resolver.ts`
 * under src/) as the API builds it, sorted as it sorts it. `npm run schema:print` writes it to
 * schema.graphql at the repository root, for client code generators and reviewers;
 * src/api-schema.spec.ts fails while that file is stale.
 */
import 'reflect-metadata';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
export const SCHEMA_FILE = join(ROOT, 'schema.graphql');

const HEADER = '# The Verity API schema, generated from the code by `npm run schema:print`. Do not edit.\n\n';

function resolverFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return resolverFiles(path);
    return entry.name.endsWith('.resolver.ts') ? [path] : [];
  });
}

/** The schema file's text for `schema`: sorted SDL under a header. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** The schema the API serves, built from every resolver class of src/ without starting the API. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const resolvers = resolverFiles()
    .sort()
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .flatMap((file) => Object.values(require(file) as Record<string, unknown>))
    .filter((value): value is new (...args: never[]) => unknown => typeof value === 'function' && value.name.endsWith('Resolver'));
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    return await app.get(GraphQLSchemaFactory).create(resolvers);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  void buildApiSchema().then((schema) => {
    writeFileSync(SCHEMA_FILE, printApiSchema(schema));
    console.log(`schema: wrote ${relative(ROOT, SCHEMA_FILE)}`);
  });
}
