/**
 * The import rules of src/ (README, "How it is built"), checked by `npm test` before mocha:
 *   npx depcruise src --config .dependency-cruiser.cjs
 * Imports point one way: http → commands → events; projections → events (and the ports' types);
 * adapters (every folder under src/stores/) → the ports, the projection engine and events; only
 * the composition root (src/main.ts, src/profiles/) and the CLIs (src/cli/) import adapters.
 */

/** Modules of the projection engine: what adapters may use of src/projections. */
const engine = '^src/projections/(projection|ports|checksum|documentComparison)\\.ts$';
/** Port-side modules: the files directly in src/stores/ (eventStore.ts, readModel.ts, ...). */
const ports = '^src/stores/[^/]+\\.ts$';
/** Adapters: one folder per store under src/stores/ (sqlite, kurrentdb, mongodb, postgres, ...). */
const adapters = '^src/stores/[^/]+/';
/** The composition root and the command-line tools: the only places that know every part. */
const composition = '^src/(main\\.ts$|profiles/|cli/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle makes two modules one: neither can be read, tested or replaced alone, and ESM may ' +
        'see one half uninitialised at start-up. Put what both need in a module both import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'events-import-no-layer',
      comment:
        "Events are the bottom layer: what happened, in the domain's words. Every other layer " +
        'imports them; an event module importing a store, a projection, a command or HTTP would make ' +
        'all of them depend on that one.',
      severity: 'error',
      from: { path: '^src/events/' },
      to: { path: '^src/', pathNot: '^src/events/' },
    },
    {
      name: 'projections-see-events-and-ports',
      comment:
        'Projections are pure functions of events, run by whichever store a profile wires in. They ' +
        'import events, each other and the ports (src/stores/eventStore.ts, readModel.ts, ...) and ' +
        'nothing else: stores, commands, HTTP and profiles come to them as parameters.',
      severity: 'error',
      from: { path: '^src/projections/' },
      to: { path: '^src/', pathNot: ['^src/projections/', '^src/events/', ports, '^src/(logger|errors)\\.ts$'] },
    },
    {
      name: 'projections-use-ports-as-types-only',
      comment:
        "Projections may name the ports' types, never run store code: the ports import the " +
        'projection engine, so a run-time import back would load the stores with every projection.',
      severity: 'error',
      from: { path: '^src/projections/' },
      to: { path: '^src/stores/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'engine-stays-below-views',
      comment:
        'Adapters may import the engine modules; were those to import a view, the registry or the ' +
        "projectors, every adapter would get them too. The engine knows events, itself and the ports' types.",
      severity: 'error',
      from: { path: engine },
      to: { path: '^src/', pathNot: ['^src/events/', engine, '^src/stores/(eventStore|readModel)\\.ts$'] },
    },
    {
      name: 'ports-import-no-adapter-or-caller',
      comment:
        "A port is what adapters implement and callers use: it names the engine's and the events' " +
        'types, and imports no adapter, view, command, route or profile, so either side can change alone.',
      severity: 'error',
      from: { path: ports },
      to: { path: '^src/', pathNot: [ports, '^src/events/', engine] },
    },
    {
      name: 'adapters-see-ports-engine-events',
      comment:
        "An adapter implements a port with the projection engine's help: it may import its own " +
        'folder, the ports, the engine and events, never a view, the projections registry, a ' +
        'projector, a route, a command, a profile or another adapter. Swapping a store is then ' +
        'passing another adapter; what an adapter needs of the rest comes as a parameter.',
      severity: 'error',
      from: { path: '^src/stores/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/stores/$1/', ports, engine, '^src/events/', '^src/(errors|logger)\\.ts$'] },
    },
    {
      name: 'only-composition-imports-adapters',
      comment:
        'Stores are chosen in one place: the composition root (src/main.ts, src/profiles/) and the ' +
        'CLIs open adapters and pass them on as ports. Anywhere else, an adapter import ties the ' +
        'code to one store.',
      severity: 'error',
      from: { pathNot: [composition, adapters] },
      to: { path: adapters },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment:
        'The composition root imports every part; a part importing it back is a cycle in waiting ' +
        'and hides wiring in a leaf. Move what is shared (a type, a rule) down to the layer that owns it.',
      severity: 'error',
      from: { pathNot: composition },
      to: { path: composition },
    },
    {
      name: 'nothing-below-imports-http',
      comment:
        'HTTP is the top layer: it maps requests to commands and answers; nothing below knows a route or Koa. ' +
        'Besides the composition root, the projector process (the root of its own process) serves its metrics ' +
        'and probes on the same listener as the API.',
      severity: 'error',
      from: { pathNot: ['^src/http/', '^src/main\\.ts$', '^src/cli/projector\\.ts$'] },
      to: { path: '^src/http/' },
    },
    {
      name: 'commands-see-events-and-ports',
      comment:
        'Commands decide from events and facts read through the ports; they know no projection ' +
        "(a write's answer is read back by HTTP), no adapter, route, profile or CLI, so the same " +
        'decision runs whichever stores and read models are wired in.',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { path: '^src/', pathNot: ['^src/commands/', '^src/events/', ports, '^src/(errors|logger)\\.ts$'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file fails at run time; tsc may not see it in a dynamic import.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports are dependencies of the design too (and the rules above tell them apart).
    tsPreCompilationDeps: true,
    // Resolves the `.js` specifiers of the sources (NodeNext) to their `.ts` files.
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
