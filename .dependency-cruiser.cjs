/**
 * The layers of DESIGN.md, checked by a machine. Lower layers never import higher ones; folders on
 * one layer never import each other; another folder is entered only through its index.ts.
 */
const { layers: LAYERS } = require('./architecture.layers.json');

const forbidden = [];

for (const [index, layer] of LAYERS.entries()) {
  const higher = LAYERS.slice(index + 1).flat();
  for (const folder of layer) {
    if (higher.length > 0) {
      forbidden.push({
        name: `layer-${folder}-no-upward`,
        comment: `${folder}/ (layer ${index}) must not import a higher layer`,
        severity: 'error',
        from: { path: `^src/${folder}/` },
        to: { path: `^src/(${higher.join('|')})/` },
      });
    }
    const siblings = layer.filter((other) => other !== folder);
    if (siblings.length > 0) {
      forbidden.push({
        name: `layer-${folder}-no-sideways`,
        comment: `${folder}/ must not import folders on its own layer`,
        severity: 'error',
        from: { path: `^src/${folder}/` },
        to: { path: `^src/(${siblings.join('|')})/` },
      });
    }
  }
}

forbidden.push(
  {
    name: 'enter-through-index',
    comment: 'another folder is entered only through its index.ts',
    severity: 'error',
    from: { path: '^src/([^/]+)/' },
    to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
  },
  {
    name: 'no-circular',
    severity: 'error',
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'known-layer',
    comment: 'every folder under src/ must have a layer in .dependency-cruiser.cjs',
    severity: 'error',
    from: { path: `^src/(?!(${LAYERS.flat().join('|')})/)[^/]+/` },
    to: {},
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
