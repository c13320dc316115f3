import { readFileSync } from 'node:fs';
import { buildApiSchema, printApiSchema, SCHEMA_FILE } from '../scripts/api-schema';

describe('schema.graphql', () => {
  it('is the schema the resolvers build (run `npm run schema:print` after changing the API)', async () => {
    const built = printApiSchema(await buildApiSchema());
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(built);
  });
});
