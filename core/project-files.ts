import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

/** The project's folder (the one holding package.json), the same whether the code runs from its TypeScript sources or from the compiled `dist/`. */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of the project by its path from the project's folder, e.g. `projectFile("demo", "fixtures", "x.json")`. */
export function projectFile(...segments: string[]): string {
  return join(projectRoot, ...segments);
}
