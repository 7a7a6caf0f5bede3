// The module rules of docs/ARCHITECTURE.md, enforced by `npm run lint`. Keep the graph there identical.
const productModules = [
  'identity',
  'directory',
  'cases',
  'referrals',
  'matching',
  'journeys',
  'library',
  'events',
  'community',
  'newsletter',
  'supply-chain',
];

// Which modules each module may import (through their index.ts). Anything else is forbidden.
const allowed = {
  system: [],
  identity: [],
  directory: ['identity'],
  cases: ['identity', 'directory'],
  referrals: ['identity', 'directory', 'cases'],
  matching: ['identity', 'directory', 'cases', 'referrals'],
  journeys: ['identity', 'directory', 'cases'],
  library: ['identity', 'directory'],
  events: ['identity', 'directory'],
  community: ['identity', 'directory'],
  newsletter: ['identity', 'directory'],
  'supply-chain': ['identity', 'directory'],
};

const moduleGraphRules = Object.entries(allowed).map(([from, to]) => {
  const forbidden = ['system', ...productModules].filter((m) => m !== from && !to.includes(m));
  return {
    name: `module-graph-${from}`,
    comment: `${from} may import only: ${to.join(', ') || 'no other module'} (docs/ARCHITECTURE.md)`,
    severity: 'error',
    from: { path: `^server/modules/${from}/` },
    to: { path: `^server/modules/(${forbidden.join('|')})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'kernel-imports-no-module',
      comment: 'The kernel is what every module needs; it must not know any module.',
      severity: 'error',
      from: { path: '^server/kernel/' },
      to: { path: '^server/modules/' },
    },
    {
      name: 'modules-through-index-only',
      comment: 'A module may reach another module only through its index.ts.',
      severity: 'error',
      from: { path: '^server/modules/([^/]+)/' },
      to: {
        path: '^server/modules/([^/]+)/',
        pathNot: ['^server/modules/$1/', '^server/modules/[^/]+/index\\.ts$'],
      },
    },
    ...moduleGraphRules,
    {
      name: 'web-never-imports-server',
      comment: 'The web app talks to the server only through the generated API client.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^server/' },
    },
    {
      name: 'ui-imports-no-feature',
      comment: 'web/src/ui is the design system: it never imports pages, app or feature modules.',
      severity: 'error',
      from: { path: '^web/src/ui/' },
      to: { path: '^web/src/(pages|modules|app)/' },
    },
    {
      name: 'no-test-code-in-product',
      comment:
        'Product code never imports test helpers (no test-only code in server/ or web/): *.test.ts, server/test/, the security suites (server/security/), and each module’s access-matrix rows (*.matrix.ts).',
      severity: 'error',
      from: {
        path: '^(server|web/src)/',
        pathNot: ['\\.test\\.tsx?$', '^server/test/', '^server/security/', '\\.matrix\\.ts$'],
      },
      to: { path: ['^server/test/', '^server/security/', '\\.test\\.tsx?$', '\\.matrix\\.ts$'] },
    },
    {
      name: 'no-dev-deps-in-server',
      comment: 'The server runs with production dependencies only.',
      severity: 'error',
      from: {
        path: '^server/',
        pathNot: ['\\.test\\.ts$', '^server/test/', '^server/security/', '\\.matrix\\.ts$'],
      },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
