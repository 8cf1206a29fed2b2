import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther, type EIP1193Provider } from "viem";
import { developmentAccount } from "../../devchain/accounts.ts";
import { ChainJournalError } from "../../devchain/journal.ts";
import { startLocalNode } from "../../devchain/node.ts";

type Block = { number: string; hash: string; timestamp: string };
const latest = (provider: EIP1193Provider) =>
  provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] }) as unknown as Promise<Block>;
const call = (provider: EIP1193Provider, method: string, params: unknown[] = []) =>
  provider.request({ method, params } as never) as Promise<unknown>;

describe("chain journal", () => {
  it("brings the same chain back, block for block, after a restart; reverts drop what they undo", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "journal-")), "chain.jsonl");
    const first = await startLocalNode({ port: 0, journalFile: file });
    const [from, to] = [developmentAccount(0).address, developmentAccount(9).address];
    await call(first.provider, "eth_sendTransaction", [{ from, to, value: `0x${parseEther("1").toString(16)}` }]);
    await call(first.provider, "evm_setNextBlockTimestamp", ["0x7ffffff0"]);
    await call(first.provider, "evm_mine");
    const snapshot = await call(first.provider, "evm_snapshot");
    await call(first.provider, "eth_sendTransaction", [{ from, to, value: "0x1" }]);
    await call(first.provider, "evm_revert", [snapshot]);
    await call(first.provider, "hardhat_mine", ["0x3"]);
    const before = await latest(first.provider);
    const balanceBefore = await call(first.provider, "eth_getBalance", [to, "latest"]);
    await first.stop();

    const second = await startLocalNode({ port: 0, journalFile: file });
    try {
      const after = await latest(second.provider);
      assert.deepEqual(after, { ...after, number: before.number, hash: before.hash, timestamp: before.timestamp });
      assert.equal(await call(second.provider, "eth_getBalance", [to, "latest"]), balanceBefore);
      assert.equal(balanceBefore, `0x${(parseEther("10000") + parseEther("1")).toString(16)}`);
    } finally {
      await second.stop();
    }
  });

  it("dates the blocks mined after a restart at the wall-clock time, not where the chain stopped", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "journal-")), "chain.jsonl");
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const first = await startLocalNode({ port: 0, journalFile: file, initialDate: new Date((hourAgo - 3600) * 1000) });
    await call(first.provider, "evm_setNextBlockTimestamp", [`0x${hourAgo.toString(16)}`]);
    await call(first.provider, "evm_mine");
    const stoppedAt = await latest(first.provider);
    await first.stop();

    const second = await startLocalNode({ port: 0, journalFile: file });
    try {
      const replayed = await latest(second.provider);
      assert.equal(replayed.hash, stoppedAt.hash, "the replayed blocks keep their times, so their hashes");
      assert.equal(Number(replayed.timestamp), hourAgo);
      const [from, to] = [developmentAccount(0).address, developmentAccount(9).address];
      await call(second.provider, "eth_sendTransaction", [{ from, to, value: "0x1" }]);
      const mined = await latest(second.provider);
      const wallClock = Math.floor(Date.now() / 1000);
      assert.equal(Number(mined.number), Number(replayed.number) + 1);
      assert.ok(
        Math.abs(Number(mined.timestamp) - wallClock) <= 5,
        `a new block is dated ${wallClock - Number(mined.timestamp)} s before the wall clock`,
      );
    } finally {
      await second.stop();
    }
  });

  it("refuses a file that is not a journal, naming it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "journal-")), "chain.jsonl");
    writeFileSync(file, "hello\n");
    await assert.rejects(startLocalNode({ port: 0, journalFile: file }), (error: unknown) => {
      assert.ok(error instanceof ChainJournalError);
      assert.match(error.shortMessage, /is not a chain journal/);
      return true;
    });
    assert.equal(readFileSync(file, "utf8"), "hello\n");
  });
});
