import assert from "node:assert/strict";
import { createModuleProbe, typeScriptAtRunTime } from "../helpers/module-probe.ts";
import { runNode } from "../helpers/processes.ts";

/**
 * The offline model runs on a thread of its own (search/local-embedder-thread).
 * Tests start it from the TypeScript sources (test/search/activity.test.ts);
 * the service and the CLI start it from the compiled dist/, with no TypeScript
 * loader anywhere in the process.
 */
describe("search/embedder: the offline model's thread from the compiled dist/", function () {
  this.timeout(180_000);

  it("embeds texts with no TypeScript loader, closer in meaning scoring higher", async () => {
    const texts = ["the hosting bill went up this month", "our server invoice increased", "a new logo for the brand"];
    const program = `
      const { createLocalEmbedder } = await import("./dist/search/embedder.js");
      const vectors = await createLocalEmbedder().embed(${JSON.stringify(texts)});
      console.log(JSON.stringify(vectors.map((vector) => Array.from(vector))));
    `;
    const probe = createModuleProbe();
    const run = runNode("-e", [program], probe.env, { nodeArgs: [...probe.nodeArgs, "--input-type=module"] });
    assert.equal(await run.exited, 0, run.stderr());
    const vectors = JSON.parse(run.stdout()) as number[][];

    assert.deepEqual(vectors.map((vector) => vector.length), [512, 512, 512]);
    const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
    for (const vector of vectors) assert.ok(Math.abs(dot(vector, vector) - 1) < 1e-4, "unit length");
    assert.ok(dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2]), "the two hosting texts are nearer to each other than to the logo");

    const probed = probe.read();
    assert.ok(probed.modules.includes("dist/search/embedder.js"));
    assert.deepEqual(typeScriptAtRunTime(probed), []);
  });
});
