// Jest (before Node 24.9) cannot require() an ES module, but @nestjs/throttler and
// @nestjs-modules/mailer are CommonJS packages that require() the ESM-only @nestjs/common and
// @nestjs/core. Their require() calls are resolved to shims that hand out the very ES module
// instances the app imports (loaded by setup.mjs), so there is one copy of each, as under Node.
const SHIMS = {
  '@nestjs/common': `${__dirname}/nestjs-common.cjs`,
  '@nestjs/core': `${__dirname}/nestjs-core.cjs`,
};

module.exports = (request, options) => {
  const conditions = options.conditions ?? [];
  if (SHIMS[request] && conditions.includes('require') && !conditions.includes('import'))
    return SHIMS[request];
  return options.defaultResolver(request, options);
};
