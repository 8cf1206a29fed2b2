import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../helpers/processes.ts";

type StaleSources = { reason: string; changed: string[] | "all" } | undefined;
type BuildState = { staleSources: () => StaleSources; beginBuild: () => () => void };

/**
 * bin/build-state.js decides whether `npm start` and the `treasury` command may
 * run dist/ as it is. Each test runs a copy of it in a small project of its own
 * (it finds the project from where it sits), so no real source is touched.
 */
describe("bin/build-state.js: a stale dist/ is never taken for a fresh one", () => {
  let project: string;
  let state: BuildState;
  let copies = 0;

  beforeEach(async () => {
    project = mkdtempSync(join(tmpdir(), "treasury-build-state-"));
    for (const folder of ["bin", "core", "adapters/cli", "contracts"]) mkdirSync(join(project, folder), { recursive: true });
    writeFileSync(join(project, "package.json"), "{}");
    writeFileSync(join(project, "core/money.ts"), "export const a = 1;\n");
    writeFileSync(join(project, "adapters/cli/main.ts"), "export {};\n");
    writeFileSync(join(project, "contracts/TestToken.sol"), "// token\n");
    // A fresh file name each time: the module cache would otherwise hand back the first copy.
    const copy = join(project, "bin", `build-state-${copies++}.js`);
    copyFileSync(join(projectRoot, "bin/build-state.js"), copy);
    state = (await import(pathToFileURL(copy).href)) as BuildState;
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  /** Sets a file's modification time `secondsFromNow` from now. */
  const touch = (path: string, secondsFromNow: number) => {
    const when = new Date(Date.now() + secondsFromNow * 1000);
    utimesSync(join(project, path), when, when);
  };

  it("is stale with no build, fresh once a build completes, and stale again when a source changes after the build began", () => {
    assert.deepEqual(state.staleSources(), { reason: "no complete build in dist/", changed: "all" });
    for (const file of ["core/money.ts", "adapters/cli/main.ts", "contracts/TestToken.sol", "package.json"]) touch(file, -60);
    state.beginBuild()();
    assert.equal(state.staleSources(), undefined);

    touch("core/money.ts", 5);
    assert.deepEqual(state.staleSources(), { reason: "core/money.ts changed since the last build", changed: ["core/money.ts"] });
    touch("contracts/TestToken.sol", 5);
    assert.deepEqual(state.staleSources()?.changed, ["contracts/TestToken.sol", "core/money.ts"]);
  });

  it("is stale when a source is added or removed, even with an old modification time", () => {
    for (const file of ["core/money.ts", "adapters/cli/main.ts", "contracts/TestToken.sol", "package.json"]) touch(file, -60);
    state.beginBuild()();
    writeFileSync(join(project, "core/clock.ts"), "export {};\n");
    touch("core/clock.ts", -60); // e.g. restored from an archive
    assert.deepEqual(state.staleSources(), { reason: "source files were added or removed since the last build", changed: "all" });
    rmSync(join(project, "core/clock.ts"));
    assert.equal(state.staleSources(), undefined);
    rmSync(join(project, "adapters/cli/main.ts"));
    assert.equal(state.staleSources()?.changed, "all");
  });

  it("forgets the last build when a new one begins, so a failed or interrupted build leaves dist/ stale", () => {
    for (const file of ["core/money.ts", "adapters/cli/main.ts", "contracts/TestToken.sol", "package.json"]) touch(file, -60);
    state.beginBuild()();
    assert.equal(state.staleSources(), undefined);
    state.beginBuild(); // ...and the build fails: its completion is never recorded
    assert.deepEqual(state.staleSources(), { reason: "no complete build in dist/", changed: "all" });
  });
});
