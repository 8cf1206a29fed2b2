#!/usr/bin/env node
// The `treasury` command. The project runs on the Node 22 of its `node`
// devDependency (npx and npm scripts put it first on PATH); TypeScript runs through tsx.
import { register } from "tsx/esm/api";

register();
await import("../adapters/cli/main.ts");
