import { createServer, type IncomingMessage, type Server } from "node:http";
import type { EIP1193Provider } from "viem";
import { TreasuryError } from "../core/errors.ts";
import { projectRoot } from "../core/project-files.ts";
import { openChainJournal, readJournalHeader } from "./journal.ts";

export class LocalChainError extends TreasuryError {
  override name = "LocalChainError";
}

export type LocalNode = {
  /** The JSON-RPC address, always on 127.0.0.1. */
  url: string;
  port: number;
  /** The in-process provider (no HTTP hop); for tests and the seed. */
  provider: EIP1193Provider;
  /** Stops the HTTP server and drops the chain. */
  stop: () => Promise<void>;
};

export type StartLocalNodeParameters = {
  /** 0 picks a free port. */
  port?: number;
  /** Genesis time; fixed so that a replayed setup gives the same blocks. */
  initialDate?: Date;
  /**
   * Where the chain's changes are journaled. Given, the chain outlives the
   * process: a journal left by an earlier run is replayed (with its genesis
   * time) before the node serves anything.
   */
  journalFile?: string;
};

/**
 * Starts a Hardhat (EDR) development chain in this process and serves its
 * JSON-RPC on 127.0.0.1 only. Without a journal, the chain lives as long as
 * this process; with one, it comes back the same on the next start.
 */
export async function startLocalNode({ port = 8545, initialDate, journalFile }: StartLocalNodeParameters = {}): Promise<LocalNode> {
  const header = journalFile ? readJournalHeader(journalFile) : undefined;
  if (header) initialDate = new Date(header.genesisTimestamp * 1000);
  // Loaded on demand, through the ESM loader: Hardhat must be one module instance per process.
  const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
  const { default: hardhatConfig } = await import("../hardhat.config.ts");
  const hre = await createHardhatRuntimeEnvironment(hardhatConfig, {}, projectRoot);
  const connection = await hre.network.create({
    network: "local",
    override: initialDate ? { initialDate } : undefined,
  });
  const rawProvider = connection.provider as unknown as EIP1193Provider;
  let provider = rawProvider;
  if (journalFile) {
    try {
      provider = (await openChainJournal(rawProvider, journalFile)).provider;
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  const server = createServer((request, response) => {
    void handleJsonRpc(provider, request).then(
      (body) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(body);
      },
      () => {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }));
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  const actualPort = await listen(server, port);
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    provider,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await connection.close();
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      fail(
        error.code === "EADDRINUSE"
          ? new LocalChainError(`LOCAL_CHAIN_PORT ${port} is in use; stop what runs there or pick another port.`)
          : error,
      );
    });
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      done(typeof address === "object" && address ? address.port : port);
    });
  });
}

type JsonRpcRequest = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown };

async function handleJsonRpc(provider: EIP1193Provider, request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as JsonRpcRequest | JsonRpcRequest[];
  const answer = Array.isArray(body)
    ? await Promise.all(body.map((one) => answerOne(provider, one)))
    : await answerOne(provider, body);
  return JSON.stringify(answer);
}

async function answerOne(provider: EIP1193Provider, request: JsonRpcRequest) {
  const id = request.id ?? null;
  if (typeof request.method !== "string")
    return { jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid request" } };
  try {
    const result = await provider.request({
      method: request.method,
      params: (request.params ?? []) as never,
    } as never);
    return { jsonrpc: "2.0", id, result: result ?? null };
  } catch (error) {
    const failure = error as { code?: number; message?: string; data?: unknown };
    return {
      jsonrpc: "2.0",
      id,
      error: {
        code: typeof failure.code === "number" ? failure.code : -32603,
        message: failure.message ?? "Internal error",
        ...(failure.data === undefined ? {} : { data: failure.data }),
      },
    };
  }
}
