// Mutation testing of the pure rule modules (`npm run test:mutation`, not part of CI): Stryker changes
// one operator or literal at a time and runs the unit specs that cover it; a mutant no spec notices
// ("survived") is a rule no test pins down. Only unit specs run: no database, no HTTP.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Jest runs in native ESM mode here (NestJS 12 is ESM only), as `npm test` does.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    configFile: 'jest.config.mjs',
    config: {
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      // The unit specs need no database: skip the run-wide PostgreSQL of the HTTP suites.
      globalSetup: null,
      globalTeardown: null,
    },
  },
  coverageAnalysis: 'perTest',
  // Mutants of module-level constants (regular expressions, tables) run every spec once more each:
  // two thirds of the time for an eighth of the mutants, so they are left out of the score.
  ignoreStatic: true,
  mutate: [
    // role ranks and grants
    'src/common/auth/system-roles.ts',
    // status derivation (effectiveStatusCondition is SQL text, checked by the HTTP suites: lines 21-31 left out)
    'src/invitations/invitation-status.ts:1-20',
    'src/invitations/invitation-status.ts:32-53',
    // token format and comparison, API key shape and hash
    'src/invitations/invitation-token.ts',
    'src/common/auth/api-key-secret.ts',
    // cursor codec (signed, bound to its list)
    'src/common/pagination/cursor-codec.ts',
    // email normalisation
    'src/common/email/email-address.ts',
    // retry backoff, and what a failed send records
    'src/mail/retry-backoff.ts',
    'src/mail/send-error.ts',
  ],
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 90, low: 80, break: 80 },
  concurrency: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
