/** Jest in native ESM mode (NestJS 12 ships ESM only); `npm test` passes --experimental-vm-modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.spec.json' }],
  },
  // Three tiers: unit specs beside the code, medium specs (one repository or service on a real
  // PostgreSQL, no HTTP) and the HTTP suites.
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/**/*.medium-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
  // CommonJS packages (@nestjs/throttler, @nestjs-modules/mailer) require() the ESM-only NestJS:
  // see test/support/esm-for-cjs/resolver.cjs.
  resolver: '<rootDir>/test/support/esm-for-cjs/resolver.cjs',
  setupFiles: ['<rootDir>/test/support/esm-for-cjs/setup.mjs'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
