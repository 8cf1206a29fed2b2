import assert from "node:assert/strict";
import { join } from "node:path";
import { checkChainIdentity, ChainMismatchError } from "../../indexer/chain-identity.ts";
import { closeDatabase } from "../../db/open.ts";
import { openSafeDatabase } from "../helpers/safe-database.ts";
import { readMeta } from "../../db/meta.ts";
import { createChainClient } from "../../core/chain.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { connectionOf } from "../../db/connection.ts";

describe("chain identity of the database", () => {
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain({ initialFunds: null });
  });
  after(() => chain?.stop());

  it("adopts a new database, accepts the same chain, and refuses another chain id or Safe", async () => {
    const db = openSafeDatabase(join(chain.dir, "identity.db"), { chainId: chain.deployment.chainId, address: chain.deployment.safe.address });
    const safe = chain.deployment.safe.address;
    assert.deepEqual(await checkChainIdentity(db, chain.client, safe), { status: "new" });
    const head = await chain.client.getBlock();
    connectionOf(db).prepare("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)").run(
      Number(head.number),
      head.hash,
      head.parentHash,
      Number(head.timestamp),
    );
    assert.deepEqual(await checkChainIdentity(db, chain.client, safe), { status: "same" });

    await assert.rejects(checkChainIdentity(db, chain.client, chain.deployment.contracts.multiSend), ChainMismatchError);
    connectionOf(db).prepare("UPDATE safe_meta SET value = '5' WHERE safe_id = 1 AND key = 'chain_id'").run();
    await assert.rejects(checkChainIdentity(db, chain.client, safe), /holds chain 5, but the RPC serves chain 31337/);
    closeDatabase(db);
  });

  it("empties the chain mirror (keeping the workflow) when the stored block hashes no longer match", async () => {
    const db = openSafeDatabase(join(chain.dir, "rebuild.db"), { chainId: chain.deployment.chainId, address: chain.deployment.safe.address });
    const safe = chain.deployment.safe.address;
    await checkChainIdentity(db, chain.client, safe);
    const head = await chain.client.getBlock();
    connectionOf(db).prepare("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)").run(
      Number(head.number),
      `0x${"ab".repeat(32)}`,
      head.parentHash,
      Number(head.timestamp),
    );
    connectionOf(db).prepare("INSERT INTO address_book (workspace, address, label, added_by, created_at) VALUES ('', ?, ?, ?, ?)").run(safe, "Us", "test", 1);
    const result = await checkChainIdentity(db, createChainClient({ rpcUrl: chain.node.url, chainId: 31337 }), safe);
    assert.equal(result.status, "rebuilt");
    assert.equal((connectionOf(db).prepare("SELECT COUNT(*) AS n FROM blocks").get() as { n: number }).n, 0);
    assert.equal((connectionOf(db).prepare("SELECT COUNT(*) AS n FROM address_book").get() as { n: number }).n, 1);
    assert.equal(readMeta(db, "announce_after_block"), String(head.number));
    closeDatabase(db);
  });

  it("leaves a reorg (only the top blocks changed) to the indexer's rollback instead of rebuilding", async () => {
    const db = openSafeDatabase(join(chain.dir, "reorged.db"), { chainId: chain.deployment.chainId, address: chain.deployment.safe.address });
    const safe = chain.deployment.safe.address;
    await checkChainIdentity(db, chain.client, safe);
    const first = await chain.client.getBlock({ blockNumber: 1n });
    const head = await chain.client.getBlock();
    const insert = connectionOf(db).prepare("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)");
    insert.run(Number(first.number), first.hash, first.parentHash, Number(first.timestamp));
    insert.run(Number(head.number), `0x${"cd".repeat(32)}`, head.parentHash, Number(head.timestamp));
    assert.deepEqual(await checkChainIdentity(db, chain.client, safe), { status: "same" });
    assert.equal((connectionOf(db).prepare("SELECT COUNT(*) AS n FROM blocks").get() as { n: number }).n, 2, "nothing emptied");
    assert.equal(readMeta(db, "announce_after_block"), undefined);
    closeDatabase(db);
  });
});
