// Whether `dist/` was built from the sources as they are now. The `treasury`
// command and `npm start` run compiled JavaScript; this check (a directory walk
// and a few hundred stats, a few milliseconds) keeps them from running a build
// older than the sources. Plain JavaScript: it runs before anything is built.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(projectRoot, "dist");
const stampFile = join(distDir, ".build-stamp.json");

/** What the build reads: the source folders, contracts, the build's own configuration and script. */
const sourceFolders = ["core", "db", "indexer", "search", "assistant", "adapters", "app", "devchain", "demo", "contracts"];
const sourceFiles = ["hardhat.config.ts", "tsconfig.json", "tsconfig.build.json", "scripts/seed.ts", "scripts/bench/indexer-backfill.ts", "scripts/build.mjs", "package.json"];

/** Every build input with its modification time (ms), paths relative to the project root, sorted. */
function listSources() {
  const found = [];
  for (const folder of sourceFolders) {
    let entries;
    try {
      entries = readdirSync(join(projectRoot, folder), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      found.push([relative(projectRoot, path), statSync(path).mtimeMs]);
    }
  }
  for (const file of sourceFiles) {
    try {
      found.push([file, statSync(join(projectRoot, file)).mtimeMs]);
    } catch {
      // not there: not an input
    }
  }
  return found.sort(([a], [b]) => (a < b ? -1 : 1));
}

/**
 * How `dist/` stands against the sources: undefined when it was built from them
 * as they are now; otherwise `reason`, one line saying why not (no complete
 * build, a source changed after the build began, a source was added or removed),
 * and `changed`, the sources to rebuild from ("all" when unknown).
 */
export function staleSources() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  } catch {
    return { reason: "no complete build in dist/", changed: "all" };
  }
  const sources = listSources();
  if (sources.map(([path]) => path).join("\n") !== stamp.sources)
    return { reason: "source files were added or removed since the last build", changed: "all" };
  const changed = sources.filter(([, mtime]) => mtime > stamp.startedAt).map(([path]) => path);
  if (changed.length === 0) return undefined;
  return { reason: `${changed[0]}${changed.length > 1 ? ` and ${changed.length - 1} more` : ""} changed since the last build`, changed };
}

/**
 * Starts a build: forgets the last one (so a failed or interrupted build is
 * never taken for a complete one) and returns the function that records this
 * one as complete. Call that only once every step has succeeded.
 */
export function beginBuild() {
  rmSync(stampFile, { force: true });
  const startedAt = Date.now();
  const sources = listSources()
    .map(([path]) => path)
    .join("\n");
  return () => {
    mkdirSync(distDir, { recursive: true });
    writeFileSync(stampFile, JSON.stringify({ startedAt, sources }));
  };
}
