export default async function globalTeardown(): Promise<void> {
  await globalThis.__VERITY_TEST_POSTGRES__?.stop();
}
