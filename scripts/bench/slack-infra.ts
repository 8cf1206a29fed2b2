/**
 * The other machines of `npm run bench:slack`, in a child process of their
 * own: the local Hardhat chain (with the Safe and tokens) and the fake Slack
 * Web API. In production they are Slack's servers and an RPC node, so the
 * bench keeps their CPU off the service's event loop; the service reaches
 * them over loopback HTTP, as it would over the network.
 *
 * Protocol (IPC, JSON): the child sends `{ type: "ready", ... }` once both
 * are up; `{ type: "calls" }` is answered with a summary of the Web API calls
 * the fake recorded; `{ type: "stop" }` stops both and exits.
 */
import { fileURLToPath } from "node:url";
import { startSlackWorld } from "../../test/adapters/slack/harness.ts";
import { forkBenchChild } from "./bench-child.ts";

export type SlackInfraReady = { type: "ready"; fakeUrl: string; rpcUrl: string; deploymentFile: string; dir: string };

/** What the fake Slack Web API saw: calls per method, and the thread of every chat.postMessage. */
export type SlackCallSummary = { type: "calls"; byMethod: Record<string, number>; postMessageThreads: Array<string | null> };

export type SlackInfra = SlackInfraReady & {
  calls: () => Promise<SlackCallSummary>;
  stop: () => Promise<void>;
};

/** Forks the child and resolves once the chain and the fake Slack are serving. */
export function startSlackInfra(): Promise<SlackInfra> {
  const { child, next, stop } = forkBenchChild(fileURLToPath(import.meta.url));
  return next<SlackInfraReady>("ready").then((ready) => ({
    ...ready,
    calls: () => {
      const answer = next<SlackCallSummary>("calls");
      child.send({ type: "calls" });
      return answer;
    },
    stop,
  }));
}

async function serve() {
  const { fake, chain } = await startSlackWorld();
  process.on("message", async (message: any) => {
    if (message?.type === "calls") {
      const byMethod: Record<string, number> = {};
      for (const call of fake.calls) if (call.status === 200) byMethod[call.method] = (byMethod[call.method] ?? 0) + 1;
      const postMessageThreads = fake.callsOf("chat.postMessage").map((call) => (call.args.thread_ts ? String(call.args.thread_ts) : null));
      process.send!({ type: "calls", byMethod, postMessageThreads } satisfies SlackCallSummary);
    } else if (message?.type === "stop") {
      await fake.stop();
      await chain.stop();
      process.exit(0);
    }
  });
  // The parent going away (Ctrl-C, a crash) ends the chain too.
  process.on("disconnect", () => process.exit(0));
  process.send!({ type: "ready", fakeUrl: fake.url, rpcUrl: chain.node.url, deploymentFile: chain.deploymentFile, dir: chain.dir } satisfies SlackInfraReady);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.send) {
  serve().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
