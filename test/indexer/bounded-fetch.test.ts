import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createIndexerRpc } from "../../indexer/rpc.ts";
import { RangeTooLargeError } from "../../indexer/errors.ts";

/** A JSON-RPC server whose eth_getLogs answer is `logs` copies of one log, sent with or without a Content-Length. */
function startServer(logs: number, withLength: boolean): Promise<{ url: string; server: Server }> {
  const log = {
    address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    topics: [`0x${"11".repeat(32)}`],
    data: `0x${"00".repeat(32)}`,
    blockNumber: "0x1",
    blockHash: `0x${"22".repeat(32)}`,
    transactionHash: `0x${"33".repeat(32)}`,
    transactionIndex: "0x0",
    logIndex: "0x0",
    removed: false,
  };
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const { id } = JSON.parse(body) as { id: number };
      const answer = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id, result: Array.from({ length: logs }, () => log) }));
      if (withLength) {
        response.writeHead(200, { "content-type": "application/json", "content-length": answer.length });
        response.end(answer);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }); // chunked: the size is only known by reading
      for (let offset = 0; offset < answer.length; offset += 64 * 1024) response.write(answer.subarray(offset, offset + 64 * 1024));
      response.end();
    });
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

describe("the indexer's cap on JSON-RPC answers (indexer/rpc boundedFetch)", function () {
  this.timeout(30_000);
  // One log is about 420 bytes of JSON: 10,000 fit in 10 MiB, 30,000 do not.
  for (const withLength of [true, false])
    it(`reads an answer under 10 MiB whole and refuses a larger one as a range too large (${withLength ? "with" : "without"} Content-Length)`, async () => {
      for (const [logs, fits] of [
        [10_000, true],
        [30_000, false],
      ] as const) {
        const { url, server } = await startServer(logs, withLength);
        try {
          const rpc = createIndexerRpc({ rpcUrl: url, chainId: 31337, retry: { attempts: 1 } });
          const reading = rpc.getLogs({ topics: [], fromBlock: 1, toBlock: 2 });
          if (fits) assert.equal((await reading).length, logs);
          else await assert.rejects(reading, RangeTooLargeError);
        } finally {
          server.closeAllConnections();
          await new Promise((done) => server.close(done));
        }
      }
    });
});
