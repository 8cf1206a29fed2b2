// `npm start`: the service compiled ahead of time into dist/, rebuilt first if a
// source changed.
import { runBuilt } from "./run-built.js";

await runBuilt("app/main.js", "npm start");
