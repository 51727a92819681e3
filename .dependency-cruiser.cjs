/**
 * The layer rule for src/ (`npm run lint:layers`, part of `npm run lint`; dependency-cruiser).
 *
 * src/'s folders are layers; a module imports only from its own layer and the layers below it:
 *
 *   util → metadata → entity → tree → diff → store → address → callable → serialize → durable → viz
 *
 * (bottom to top; durable/ is the durable history store of SPEC §12). events/ is a side leaf: it
 * imports only util/ (and src/errors.ts), and any layer above util/ may use it. src/errors.ts (the
 * base error class) imports nothing from src/.
 * src/index.ts and src/generated-support.ts are the package's entry points, above every layer.
 * src/ never imports codegen/ (the build-time generator), ts-morph or a devDependency, and imports
 * only the types of an optional peer dependency (package.json `peerDependenciesMeta`).
 *
 * Type-only imports count like any other, except for the few edges listed in EXCEPTIONS.
 * test/tooling/layers.test.ts checks that the rule passes on src/ and fires on an upward import.
 */
'use strict';

const LAYERS = [
  'util',
  'metadata',
  'entity',
  'tree',
  'diff',
  'store',
  'address',
  'callable',
  'serialize',
  'durable',
  'viz',
];

/** Upward edges that are part of the design; each names why. */
const EXCEPTIONS = [
  {
    from: 'src/util/paths.ts',
    to: 'src/metadata/types.ts',
    typeOnly: true,
    why: 'the PathSegment type of the paths it formats',
  },
  {
    from: 'src/metadata/errors.ts',
    to: 'src/tree/errors.ts',
    typeOnly: false,
    why: 'DataCycleError is a TreeStructureError (tree/errors.ts imports only src/errors.ts)',
  },
  {
    from: 'src/entity/entity.ts',
    to: 'src/tree/entity-tree.ts',
    typeOnly: true,
    why: "the return type of Entity#getTree (the tree is built through entity/services.ts's hook)",
  },
];

const TYPE_ONLY = ['type-only', 'type-import', 'pre-compilation-only'];
const re = (file) => `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const any = (patterns) => (patterns.length === 1 ? patterns[0] : `(${patterns.join('|')})`);

function layerRules() {
  const rules = [];
  LAYERS.forEach((layer, i) => {
    // events/ sits just above util/: everything above util/ may use it, util/ may not.
    const above = [...LAYERS.slice(i + 1), ...(layer === 'util' ? ['events'] : [])];
    if (above.length === 0) return;
    const to = `^src/${any(above)}/`;
    const comment = `src/${layer}/ may not import from the layers above it (${above.join(', ')}): see .dependency-cruiser.cjs`;
    const exceptions = EXCEPTIONS.filter((e) => e.from.startsWith(`src/${layer}/`));
    rules.push({
      name: `layer-order-${layer}`,
      severity: 'error',
      comment,
      from: {
        path: `^src/${layer}/`,
        ...(exceptions.length ? { pathNot: any(exceptions.map((e) => re(e.from))) } : {}),
      },
      to: { path: to },
    });
    for (const e of exceptions) {
      rules.push({
        name: `layer-order-${layer}`,
        severity: 'error',
        comment,
        from: { path: re(e.from) },
        to: { path: to, pathNot: re(e.to) },
      });
      if (e.typeOnly) {
        rules.push({
          name: `layer-order-${layer}`,
          severity: 'error',
          comment: `${e.from} may import ${e.to} for types only (${e.why})`,
          from: { path: re(e.from) },
          to: { path: re(e.to), dependencyTypesNot: TYPE_ONLY },
        });
      }
    }
  });
  return rules;
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'events-imports-only-util',
      severity: 'error',
      comment: 'src/events/ is a leaf: it imports only src/util/ and src/errors.ts',
      from: { path: '^src/events/' },
      to: { path: '^src/', pathNot: '^src/(events/|util/|errors\\.ts$)' },
    },
    {
      name: 'errors-imports-nothing',
      severity: 'error',
      comment: 'src/errors.ts (the base class of every error) imports nothing from src/',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'no-entry-point-inside',
      severity: 'error',
      comment: 'src/index.ts and src/generated-support.ts are entry points; no module inside a layer imports them',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/(index|generated-support)\\.ts$' },
    },
    {
      name: 'src-not-codegen',
      severity: 'error',
      comment: 'src/ never imports the build-time generator (codegen/) or ts-morph',
      from: { path: '^src/' },
      to: { path: ['^codegen/', '(^|/)node_modules/ts-morph/'] },
    },
    {
      name: 'src-not-dev-dependencies',
      severity: 'error',
      comment: "src/ is the published package: a devDependency is not installed for the package's users",
      from: { path: '^src/' },
      // An optional peer dependency is a devDependency too (the tests use it): the next rule.
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['npm-peer'] },
    },
    {
      name: 'src-peers-type-only',
      severity: 'error',
      comment:
        'an optional peer dependency (pg, @nats-io) is loaded when a store needs it (src/durable/peers.ts), ' +
        'never imported for its values: the package must load without it',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-peer'], dependencyTypesNot: TYPE_ONLY },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Also see type-only imports (`import type`, `import('...').T`), which the compiler drops.
    tsPreCompilationDeps: true,
  },
};
