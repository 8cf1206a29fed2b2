/**
 * The import rules of the house, checked in `npm test` (`npm run check:imports`).
 * Dependencies point inward: app, then adapters, then assistant / search /
 * indexer / demo / devchain, then core, then db. No folder imports one above
 * it, no two modules import each other, and nothing imports scripts/.
 */
const layer = (folder, allowed) => ({
  name: `${folder}-imports-inward`,
  comment: `${folder}/ may import only ${allowed.join(", ")} (dependencies point inward)`,
  severity: "error",
  from: { path: `^${folder}/` },
  to: { path: "^(core|db|indexer|search|assistant|adapters|app|devchain|demo|scripts)/", pathNot: `^(${[folder, ...allowed].join("|")})/` },
});

module.exports = {
  forbidden: [
    layer("db", []),
    layer("core", ["db"]),
    layer("indexer", ["core", "db"]),
    layer("search", ["core", "db"]),
    layer("assistant", ["search", "core", "db"]),
    layer("devchain", ["core"]),
    layer("demo", ["devchain", "indexer", "search", "core", "db"]),
    layer("adapters", ["assistant", "search", "indexer", "core", "db"]),
    layer("app", ["adapters", "demo", "devchain", "assistant", "search", "indexer", "core", "db"]),
    {
      name: "nothing-imports-scripts",
      comment: "scripts/ holds entry points (benchmarks, install steps); nothing imports them",
      severity: "error",
      from: { pathNot: "^scripts/" },
      to: { path: "^scripts/" },
    },
    {
      name: "no-circular",
      comment: "two modules that import each other (directly or through others)",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { circular: true },
    },
    {
      name: "sql-only-in-db",
      comment: "the SQLite connection behind a handle is used only in db/ (tests and benchmarks may check what was stored)",
      severity: "error",
      from: { pathNot: "^(db|test|scripts)/" },
      to: { path: "^db/connection\\.ts$" },
    },
    {
      name: "no-sql-outside-db",
      comment: "better-sqlite3 and sqlite-vec are used only in db/",
      severity: "error",
      from: { pathNot: "^(db|test|scripts)/" },
      to: { path: "node_modules/(better-sqlite3|sqlite-vec)/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // dist/ is the compiled copy of the sources (bin/treasury.js runs it): its rules are the sources' rules.
    exclude: { path: "^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".mjs"] },
  },
};
