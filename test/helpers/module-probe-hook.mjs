// Loaded with `node --import` into a process a test spawns: records the URL of
// every module the process loads (ES modules and require()d CommonJS alike) and,
// at exit, appends one JSON line `{ execArgv, modules }` to the file named by
// MODULE_PROBE_FILE. Plain JavaScript, so that loading it brings no TypeScript
// loader into the process it observes.
import { appendFileSync } from "node:fs";
import { registerHooks } from "node:module";

const file = process.env.MODULE_PROBE_FILE;
const modules = new Set();
if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      modules.add(url);
      return nextLoad(url, context);
    },
  });
  process.on("exit", () => appendFileSync(file, `${JSON.stringify({ execArgv: process.execArgv, modules: [...modules] })}\n`));
}
