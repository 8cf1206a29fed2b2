// For the signer-pool test: starts a pool, has the workers recover a batch, and then simply ends
// its work. The process must exit on its own (an idle pool keeps nothing alive).
import { keccak256, toHex } from "viem";
import { sign } from "viem/accounts";
import { developmentPrivateKey } from "../../devchain/accounts.ts";
import { createSignerPool } from "../../indexer/signer-pool.ts";

const pool = createSignerPool({ size: 1 });
pool.warm();
const work = [];
for (let index = 0; index < 80; index++) {
  const safeTxHash = keccak256(toHex(`SafeTx ${index}`));
  work.push({ safeTxHash, signatures: await sign({ hash: safeTxHash, privateKey: developmentPrivateKey(1), to: "hex" }), threshold: 1 });
}
for (let tries = 0; pool.stats.batchesOnWorkers === 0 && tries < 60; tries++) {
  await pool.recover(work);
  await new Promise((done) => setTimeout(done, 500));
}
process.stdout.write(`batches on workers: ${pool.stats.batchesOnWorkers}\n`);
