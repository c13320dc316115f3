/**
 * Three projects: unit specs next to the code, integration and e2e under test/.
 * One PostgreSQL serves the whole run (embedded unless DATABASE_URL is set): see test/support.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const common = { transform: { '^.+\\.ts$': tsJest }, testEnvironment: '<rootDir>/test/support/jest-environment.js', moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  ...common,
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.integration-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
