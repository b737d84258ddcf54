/**
 * Import rules for src/ (`npm run lint:deps`, run by .ci/run). The graph is collapsed to the
 * top-level folders of src/ (`collapse`), so a cycle reported here is two feature folders that
 * import each other, directly or through others. Feature folders depend one way only (README
 * "Module layout"). The registries that list every entity and migration for TypeORM are left out:
 * they import every feature by design and nothing in a feature imports them.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'A folder of src/ imports another that (directly or through others) imports it back.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/([^/]+)' },
      to: { circular: true, viaSomeNot: '^src/$1(/|$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.spec\\.ts$', '^src/database/entities\\.ts$', '^src/database/migrations/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
