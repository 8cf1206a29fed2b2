import assert from "node:assert/strict";
import { createModuleProbe, typeScriptAtRunTime } from "../helpers/module-probe.ts";
import { runNode } from "../helpers/processes.ts";
import { startFakeEmbeddings, type FakeEmbeddings } from "../helpers/fake-embeddings.ts";
import { createEmbedderFromConfig, createRemoteEmbedder } from "../../search/embedder.ts";
import { RetryableError } from "../../core/errors.ts";

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

describe("search/embedder: an embeddings endpoint (EMBEDDINGS_URL), here the local stand-in for OpenAI's", function () {
  this.timeout(30_000);
  let fake: FakeEmbeddings;
  before(async () => {
    fake = await startFakeEmbeddings({ dimensions: 64 });
  });
  after(() => fake.stop());

  it("embeds texts in their order with the endpoint's model, key and dimensions, each vector of unit length", async () => {
    const embedder = createEmbedderFromConfig({ EMBEDDINGS_URL: fake.url, EMBEDDINGS_MODEL: "text-embedding-3-small", OPENAI_API_KEY: fake.apiKey });
    assert.equal(embedder.ready(), false);
    const [logo, again, rent] = await embedder.embed(["pay the designer for the logo", "the logo designer gets paid", "office rent for May"]);
    assert.deepEqual(fake.requests.at(-1), { model: "text-embedding-3-small", texts: 3, status: 200 });
    assert.equal(embedder.dimensions(), 64);
    assert.equal(embedder.ready(), true);
    for (const vector of [logo!, again!, rent!]) assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-6);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, value, index) => sum + value * b[index]!, 0);
    assert.ok(dot(logo!, again!) > dot(logo!, rent!), "texts sharing words score higher");
    assert.deepEqual(await embedder.embed([]), [], "nothing to embed asks nothing");
    assert.equal(fake.requests.length, 1);
  });

  it("says the endpoint did not answer (retryable) when it refuses the key or is not there", async () => {
    const wrongKey = createRemoteEmbedder({ baseURL: fake.url, model: "text-embedding-3-small", apiKey: "sk-wrong" });
    await assert.rejects(wrongKey.embed(["hello"]), (error: Error) => error instanceof RetryableError && /did not answer/.test(error.message));
    assert.equal(fake.requests.at(-1)?.status, 401);
    const nowhere = createRemoteEmbedder({ baseURL: "http://127.0.0.1:9/v1", model: "text-embedding-3-small", apiKey: "sk-x", timeoutMs: 2_000 });
    await assert.rejects(nowhere.embed(["hello"]), RetryableError);
  });
});
