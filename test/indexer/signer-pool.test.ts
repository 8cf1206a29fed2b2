import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { concatHex, keccak256, pad, toHex, type Hex } from "viem";
import { sign } from "viem/accounts";
import { developmentAccount, developmentPrivateKey } from "../../devchain/accounts.ts";
import { createSignerPool, type SignerWork } from "../../indexer/signer-pool.ts";

describe("signer recovery on worker threads (indexer/signer-pool)", function () {
  this.timeout(60_000);

  it("gives, in order, the signers each owner's key made, for a batch large enough to go to the workers", async () => {
    // Each item is signed by keys chosen here, so the expected owners come from the keys, not from the recovery code.
    const work: SignerWork[] = [];
    const expected: { owner: string; kind: string }[][] = [];
    for (let index = 0; index < 150; index++) {
      const safeTxHash = keccak256(toHex(`SafeTx ${index}`));
      const first = 1 + (index % 3);
      const second = 1 + ((index + 1) % 3);
      const approvedBy = developmentAccount(4 + (index % 2)).address;
      const parts: Hex[] = [
        await sign({ hash: safeTxHash, privateKey: developmentPrivateKey(first), to: "hex" }),
        await sign({ hash: safeTxHash, privateKey: developmentPrivateKey(second), to: "hex" }),
        concatHex([pad(approvedBy, { size: 32 }), pad("0x00", { size: 32 }), "0x01"]),
      ];
      work.push({ safeTxHash, signatures: concatHex(parts), threshold: 3 });
      expected.push([
        { owner: developmentAccount(first).address, kind: "eoa" },
        { owner: developmentAccount(second).address, kind: "eoa" },
        { owner: approvedBy, kind: "approved_hash" },
      ]);
    }
    work.push({ safeTxHash: keccak256(toHex("too short")), signatures: "0x1234", threshold: 1 });
    expected.push([]);

    const pool = createSignerPool({ size: 2 });
    try {
      // The first large batch starts the workers and waits for them to load: no recovery on this thread.
      assert.deepEqual(await pool.recover(work), expected);
      assert.equal(pool.stats.batchesOnWorkers, 1, "the first batch went to the workers");
      assert.deepEqual(await pool.recover(work), expected);
      assert.equal(pool.stats.batchesOnWorkers, 2);
      assert.deepEqual(await pool.recover(work.slice(0, 3)), expected.slice(0, 3), "a small batch, recovered in place");
      assert.equal(pool.stats.batchesOnWorkers, 2);
    } finally {
      await pool.close();
    }
  });

  it("never keeps the process alive once idle: a process that used the workers exits by itself", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join("test", "indexer", "signer-pool-child.ts")], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((done) => child.on("exit", (c, s) => done([c, s])));
    clearTimeout(timer);
    assert.equal(signal, null, `killed after 45 s: it did not exit by itself (${output.trim()})`);
    assert.equal(code, 0);
    assert.match(output, /batches on workers: [1-9]/);
  });
});
