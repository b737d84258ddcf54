// require('@nestjs/common') from a CommonJS package under Jest: the app's ES module instance (resolver.cjs).
const loaded = globalThis.__esmForCjs && globalThis.__esmForCjs['@nestjs/common'];
if (!loaded) throw new Error('@nestjs/common required before test/support/esm-for-cjs/setup.mjs ran');
module.exports = loaded;
