/**
 * The other machines of `npm run bench:hosted`, in a child process of their
 * own (as scripts/bench/slack-infra.ts for bench:slack): the local chain with
 * one Safe per workspace, the fake Slack Web API that knows every workspace
 * (its bot token, its OAuth code, its one channel), and a depositor that sends
 * money to the Safes while the load runs, so the indexers have something to
 * follow when one of them is killed.
 *
 * Protocol (IPC, JSON): the child sends `{ type: "ready", ... }` once all is
 * up; `{ type: "deposits", perSecond }` starts the depositor and
 * `{ type: "stopDeposits" }` stops it (answered `{ type: "deposited", count }`
 * once the last deposit is mined); `{ type: "calls" }` is answered with the
 * Web API calls the fake recorded; `{ type: "stop" }` stops all and exits.
 */
import { fileURLToPath } from "node:url";
import { createPublicClient, createWalletClient, custom, parseEther, parseUnits, type Address } from "viem";
import { chainFor } from "../../core/chain.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import { startFakeEmbeddings } from "../../test/helpers/fake-embeddings.ts";
import { forkBenchChild } from "./bench-child.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { ana, ben, chen, startSlackWorld } from "../../test/adapters/slack/harness.ts";

/** One Slack workspace of the bench and the Safe it owns. */
export type BenchWorkspace = {
  teamId: string;
  teamName: string;
  botToken: string;
  botUserId: string;
  /** The OAuth code Slack hands the app when this workspace installs it (one use). */
  code: string;
  /** The workspace's one channel, bound to its Safe. */
  channel: string;
  safe: Address;
};

export type HostedInfraReady = {
  type: "ready";
  fakeUrl: string;
  rpcUrl: string;
  deploymentFile: string;
  dir: string;
  chainId: number;
  /** The workspace whose token is SLACK_BOT_TOKEN (no Safe, no traffic: the roles need a home token). */
  home: { teamId: string; botToken: string };
  oauthApp: { clientId: string; clientSecret: string };
  workspaces: BenchWorkspace[];
  /** The token the depositor mints to the Safes (besides sending ETH). */
  token: { address: Address; symbol: string };
  /** The stand-in for OpenAI's embeddings endpoint (used with `--remote-embeddings`). */
  embeddings: { url: string; apiKey: string };
};

/** One chat.* call the fake answered: its channel and thread, and the workspace of the token it carried. */
export type HostedPost = { method: string; channel: string; threadTs: string | null; team: string | null };

export type HostedCallSummary = { type: "calls"; byMethod: Record<string, number>; posts: HostedPost[] };

export type HostedInfra = HostedInfraReady & {
  calls: () => Promise<HostedCallSummary>;
  startDeposits: (perSecond: number) => void;
  /** Stops the depositor; resolves with how many deposits it made once the last is mined. */
  stopDeposits: () => Promise<number>;
  stop: () => Promise<void>;
  /** The child's process id (the chain, the fake Slack and the depositor). */
  pid: number | undefined;
};

export const benchWorkspaceCount = Number(process.env.BENCH_WORKSPACES ?? 50);

/** Forks the child and resolves once the chain, the Safes and the fake Slack are ready. */
export function startHostedInfra(): Promise<HostedInfra> {
  const { child, next, stop } = forkBenchChild(fileURLToPath(import.meta.url));
  return next<HostedInfraReady>("ready").then((ready) => ({
    ...ready,
    calls: () => {
      const answer = next<HostedCallSummary>("calls");
      child.send({ type: "calls" });
      return answer;
    },
    startDeposits: (perSecond) => child.send({ type: "deposits", perSecond }),
    stopDeposits: () => {
      const answer = next<{ count: number }>("deposited").then((message) => message.count);
      child.send({ type: "stopDeposits" });
      return answer;
    },
    stop,
    pid: child.pid,
  }));
}

async function serve() {
  const { fake, chain } = await startSlackWorld();
  const provider = chain.node.provider;
  const client = createPublicClient({ transport: custom(provider) });
  const owners = [ana.address, ben.address, chen.address];

  // The deployment's Safe is the first workspace's; each other workspace gets a Safe of its own, funded.
  const funder = createWalletClient({ account: developmentAccount(7), chain: chainFor(chain.deployment.chainId), transport: custom(provider) });
  const safes: Address[] = [chain.deployment.safe.address];
  for (let index = 1; index < benchWorkspaceCount; index += 1) {
    const created = await createSafe(provider, { version: "1.4.1", flavour: "L2", owners, threshold: 2, saltNonce: 1000n + BigInt(index) });
    const hash = await funder.sendTransaction({ to: created.address, value: parseEther("1") });
    await client.waitForTransactionReceipt({ hash });
    safes.push(created.address);
  }
  const pad = (index: number) => String(index).padStart(2, "0");
  const workspaces: BenchWorkspace[] = safes.map((safe, index) => ({
    teamId: `TBENCH${pad(index)}`,
    teamName: `Bench ${pad(index)}`,
    botToken: `xoxb-bench-${pad(index)}-token`,
    botUserId: `UBOT${pad(index)}`,
    code: `install-code-${pad(index)}`,
    channel: `CBENCH${pad(index)}`,
    safe,
  }));
  const home = { teamId: "THOME", teamName: "Home", botToken: "xoxb-home-token", botUserId: "UBOTHOME", code: "unused-home-code", channels: ["CHOME"] };
  const oauthApp = { clientId: "1234.5678", clientSecret: "bench-client-secret" };
  fake.addWorkspace(home);
  for (const workspace of workspaces) fake.addWorkspace({ ...workspace, channels: [workspace.channel] });
  fake.setOAuthApp(oauthApp);

  // The depositor (the deployer, the tokens' minter): ETH and minted tokens to the Safes in turn, one transaction at a time.
  const token = chain.deployment.tokens[0]!;
  const depositor = createWalletClient({ account: developmentAccount(0), chain: chainFor(chain.deployment.chainId), transport: custom(provider) });
  let depositing = false;
  let deposits = 0;
  let loop: Promise<void> | undefined;
  const depositLoop = async (perSecond: number) => {
    const started = Date.now();
    while (depositing) {
      const due = started + (deposits * 1000) / perSecond;
      if (due > Date.now()) await new Promise((done) => setTimeout(done, due - Date.now()));
      if (!depositing) break;
      const safe = safes[deposits % safes.length]!;
      // Amounts differ per deposit, so a row counted twice or a wrong amount cannot hide.
      const hash =
        deposits % 2 === 0
          ? await depositor.sendTransaction({ to: safe, value: parseEther("0.001") + BigInt(deposits) })
          : await depositor.writeContract({ address: token.address, abi: erc20Abi, functionName: "mint", args: [safe, parseUnits("1", token.decimals) + BigInt(deposits)] });
      await client.waitForTransactionReceipt({ hash });
      deposits += 1;
    }
  };

  process.on("message", async (message: any) => {
    if (message?.type === "calls") {
      const byMethod: Record<string, number> = {};
      for (const call of fake.calls) if (call.status === 200) byMethod[call.method] = (byMethod[call.method] ?? 0) + 1;
      const posts = fake.calls
        .filter((call) => call.status === 200 && call.method.startsWith("chat.") && typeof call.args.channel === "string")
        .map((call) => ({ method: call.method, channel: String(call.args.channel), threadTs: call.args.thread_ts ? String(call.args.thread_ts) : null, team: call.team ?? null }));
      process.send!({ type: "calls", byMethod, posts } satisfies HostedCallSummary);
    } else if (message?.type === "deposits") {
      depositing = true;
      loop = depositLoop(Number(message.perSecond));
    } else if (message?.type === "stopDeposits") {
      depositing = false;
      await loop;
      process.send!({ type: "deposited", count: deposits });
    } else if (message?.type === "stop") {
      depositing = false;
      await loop?.catch(() => undefined);
      await fake.stop();
      await embeddings.stop();
      await chain.stop();
      process.exit(0);
    }
  });
  const embeddings = await startFakeEmbeddings();
  // The parent going away (Ctrl-C, a crash) ends the chain too.
  process.on("disconnect", () => process.exit(0));
  process.send!({
    type: "ready",
    fakeUrl: fake.url,
    rpcUrl: chain.node.url,
    deploymentFile: chain.deploymentFile,
    dir: chain.dir,
    chainId: chain.deployment.chainId,
    home: { teamId: home.teamId, botToken: home.botToken },
    oauthApp,
    workspaces,
    token: { address: token.address, symbol: token.symbol },
    embeddings: { url: embeddings.url, apiKey: embeddings.apiKey },
  } satisfies HostedInfraReady);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.send) {
  serve().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
