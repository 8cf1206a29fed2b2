import assert from "node:assert/strict";
import { createPublicClient, custom, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { developmentAccount } from "../../../devchain/accounts.ts";
import { createSafe, type CreateSafeReturnType } from "../../../devchain/create-safe.ts";
import { startLocalNode, type LocalNode } from "../../../devchain/node.ts";
import { pino } from "pino";
import { findCreationBlock, type CreationSearchProgress } from "../../../core/safe/creation-block.ts";
import { createCreationSearchProgress } from "../../../core/safe/creation-progress.ts";
import { canonicalAddress } from "../../helpers/safe-deployments.ts";

const owners = [1, 2, 3].map((index) => developmentAccount(index).address);

/** Where a Safe's history starts: its proxy factory's ProxyCreation event, else a search on its code. */
describe("a Safe's creation block (core/safe/creation-block)", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let client: PublicClient;
  const created: Record<string, CreateSafeReturnType> = {};

  const mine = async (blocks: number) => {
    for (let index = 0; index < blocks; index++) await node.provider.request({ method: "evm_mine", params: [] } as never);
  };

  before(async () => {
    node = await startLocalNode({ port: 0 });
    client = createPublicClient({ chain: hardhat, transport: custom(node.provider) }) as PublicClient;
    await mine(30);
    created["1.3.0 L1"] = await createSafe(node.provider, { version: "1.3.0", flavour: "L1", owners, threshold: 2, saltNonce: 1n });
    await mine(17);
    created["1.4.1 L2"] = await createSafe(node.provider, { version: "1.4.1", flavour: "L2", owners, threshold: 2, saltNonce: 1n });
    // Other Safes from the same factories after them: the search must pick this Safe's event, not the factory's latest.
    await createSafe(node.provider, { version: "1.3.0", flavour: "L2", owners, threshold: 1, saltNonce: 2n });
    await createSafe(node.provider, { version: "1.4.1", flavour: "L1", owners, threshold: 1, saltNonce: 2n });
    await mine(40);
  });
  after(() => node?.stop());

  for (const kind of ["1.3.0 L1", "1.4.1 L2"])
    it(`finds a ${kind} Safe's creation from its factory's ProxyCreation event (${kind.startsWith("1.3.0") ? "proxy not indexed" : "proxy indexed"})`, async () => {
      const seen: CreationSearchProgress[] = [];
      const found = await findCreationBlock(client, created[kind].address, { onProgress: (progress) => seen.push(progress) });
      assert.deepEqual(found, { block: created[kind].creationBlock, method: "event" });
      assert.ok(seen.some((progress) => progress.method === "event"));
      assert.ok(!seen.some((progress) => progress.method === "code"), "no search on code was needed");
    });

  it("falls back to a binary search on the code when the RPC refuses the factory's log range, reporting each step", async () => {
    const refusing = {
      ...client,
      getBlockNumber: client.getBlockNumber,
      getChainId: client.getChainId,
      getCode: client.getCode,
      getLogs: async () => {
        throw new Error("query returned more than 10000 results");
      },
    } as unknown as PublicClient;
    const seen: CreationSearchProgress[] = [];
    const safe = created["1.4.1 L2"];
    const found = await findCreationBlock(refusing, safe.address, { onProgress: (progress) => seen.push(progress) });
    assert.deepEqual(found, { block: safe.creationBlock, method: "code" });
    const steps = seen.filter((progress) => progress.method === "code");
    const head = Number(await client.getBlockNumber());
    assert.ok(steps.length >= 2 && steps.length <= Math.ceil(Math.log2(head + 1)) + 1, `${steps.length} steps for ${head} blocks`);
    assert.match(steps[0].method === "code" ? (steps[0].reason ?? "") : "", /refused the factory's event log \(query returned more than 10000 results\)/);
    const last = steps.at(-1)!;
    assert.ok(last.method === "code" && last.low === safe.creationBlock && last.high === safe.creationBlock);
    assert.deepEqual(seen.at(-1), { method: "done", block: safe.creationBlock, found: "code" });
  });

  it("searches the code when no factory it knows created the Safe", async () => {
    const safe = created["1.3.0 L1"];
    // Only the v1.4.1 factory is asked, and it never created this v1.3.0 Safe.
    const found = await findCreationBlock(client, safe.address, { factories: [{ address: canonicalAddress("1.4.1", "SafeProxyFactory"), version: "1.4.1" }] });
    assert.deepEqual(found, { block: safe.creationBlock, method: "code" });
  });

  it("does not read a v1.3.0 factory's whole history on a long chain (its event does not index the proxy): the code search finds the block", async () => {
    const safe = created["1.3.0 L1"];
    let logQueries = 0;
    const counting = { ...client, getLogs: async (...args: Parameters<PublicClient["getLogs"]>) => (logQueries++, client.getLogs(...args)) } as unknown as PublicClient;
    const seen: CreationSearchProgress[] = [];
    const head = Number(await client.getBlockNumber());
    const found = await findCreationBlock(counting, safe.address, {
      factories: [{ address: canonicalAddress("1.3.0", "GnosisSafeProxyFactory"), version: "1.3.0" }],
      maxUnindexedScanBlocks: head - 1,
      onProgress: (progress) => seen.push(progress),
    });
    assert.deepEqual(found, { block: safe.creationBlock, method: "code" });
    assert.equal(logQueries, 0);
    const first = seen.find((progress) => progress.method === "code");
    assert.match(first?.method === "code" ? (first.reason ?? "") : "", /does not index the proxy/);
  });

  it("shows the search as log lines where stderr is not a terminal: the reason, the steps, the block found", async () => {
    const lines: { msg: string; [key: string]: unknown }[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const safe = created["1.4.1 L2"];
    await findCreationBlock(client, safe.address, { factories: [], onProgress: createCreationSearchProgress({ logger, mode: "log" }) });
    const head = Number(await client.getBlockNumber());
    assert.deepEqual(lines[0], { ...lines[0], msg: "finding the Safe's creation block by a search on its code", step: 0, low: 0, high: head, reason: "no ProxyCreation event names this Safe" });
    assert.deepEqual(lines.at(-1), { ...lines.at(-1), msg: "found the Safe's creation block", creationBlock: safe.creationBlock, from: "code search" });
  });
});
