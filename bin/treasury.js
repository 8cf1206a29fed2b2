#!/usr/bin/env node
// The `treasury` command: the CLI compiled ahead of time into dist/, rebuilt first
// if a source changed. The project runs on the Node 22 of its `node` devDependency
// (npx and npm scripts put it first on PATH).
import { runBuilt } from "./run-built.js";

await runBuilt("app/cli.js", "treasury");
