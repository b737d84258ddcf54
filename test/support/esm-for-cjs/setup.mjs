// Loads the ES modules that CommonJS packages require() (see resolver.cjs) before any test code.
globalThis.__esmForCjs = {
  '@nestjs/common': await import('@nestjs/common'),
  '@nestjs/core': await import('@nestjs/core'),
};
