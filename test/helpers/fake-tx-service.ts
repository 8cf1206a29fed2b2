import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  getAddress,
  hashMessage,
  hashTypedData,
  isAddressEqual,
  keccak256,
  parseAbi,
  parseAbiItem,
  recoverAddress,
  size,
  slice,
  stringToBytes,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { safeTxTypes } from "./safe-tx-types.ts";

/**
 * A local stand-in for the Safe Transaction Service, serving the API shapes
 * `@safe-global/api-kit` v5 expects (camelCase JSON, trailing slashes):
 *
 *   GET  /v1/safes/{safe}/                              Safe info, read live from the chain
 *   GET  /v2/safes/{safe}/multisig-transactions/        list (executed, nonce, nonce__gte filters)
 *   POST /v2/safes/{safe}/multisig-transactions/        propose
 *   GET  /v2/multisig-transactions/{safeTxHash}/        one transaction
 *   POST /v1/multisig-transactions/{safeTxHash}/confirmations/   add a signature
 *   GET  /v2/delegates/?safe=&delegate=                 delegates
 *   POST /v2/delegates/                                 add a delegate
 *
 * It checks what the real service checks, against the real local chain: the
 * safeTxHash is recomputed from the fields (EIP-712, this chain, this Safe);
 * the nonce is not below the Safe's on-chain nonce; the sender is a current
 * owner or a delegate of the Safe; every signature recovers (EIP-712 or
 * eth_sign) to a current owner, or to the delegate sender alone; the sender
 * signed; a delegate is added only with an owner's signature of
 * `Delegate(delegateAddress, totp)` (EIP-712, domain "Safe Transaction
 * Service" 1.0) or eth_sign of keccak(delegateAddress ‖ totp), for this or the
 * previous hour. Executions are read from the chain's ExecutionSuccess logs.
 *
 * Every request is recorded with the status answered. It can be made down
 * (503, or connection refused) and slow. `forgeConfirmation` plants a
 * confirmation without any check: a compromised or buggy service.
 */

export type FakeTxServiceRequest = { method: string; path: string; body: any; status: number; authorization?: string; at: number };

export type FakeServiceConfirmation = { owner: Address; signature: Hex; signatureType: "EOA" | "ETH_SIGN"; submissionDate: string };

export type FakeServiceTransaction = {
  safe: Address;
  to: Address;
  value: string;
  data: Hex | null;
  operation: number;
  safeTxGas: string;
  baseGas: string;
  gasPrice: string;
  gasToken: Address;
  refundReceiver: Address;
  nonce: string;
  safeTxHash: Hex;
  proposer: Address;
  proposedByDelegate: Address | null;
  origin: string | null;
  submissionDate: string;
  modified: string;
  confirmations: FakeServiceConfirmation[];
};

export type FakeTxService = {
  url: string;
  requests: FakeTxServiceRequest[];
  transactions: Map<Hex, FakeServiceTransaction>;
  delegates: Array<{ safe: Address | null; delegate: Address; delegator: Address; label: string }>;
  /** "503": every request answers 503; "refused": the port is closed; false: up. */
  setDown: (mode: "503" | "refused" | false) => Promise<void>;
  /** Delay every answer by this many milliseconds. */
  setDelay: (ms: number) => void;
  /** Plants a confirmation with no check at all (what a compromised service could serve). */
  forgeConfirmation: (safeTxHash: Hex, confirmation: { owner: Address; signature: Hex }) => void;
  /** Requests matching a method and a path pattern, with their status. */
  calls: (method: string, path: RegExp) => FakeTxServiceRequest[];
  stop: () => Promise<void>;
};

const safeAbi = parseAbi(["function getOwners() view returns (address[])", "function getThreshold() view returns (uint256)", "function nonce() view returns (uint256)", "function VERSION() view returns (string)"]);
const executionSuccess = parseAbiItem("event ExecutionSuccess(bytes32 indexed txHash, uint256 payment)");

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(JSON.stringify(body));
  }
}
const invalid = (message: string) => new HttpFailure(400, { nonFieldErrors: [message] });

export async function startFakeTxService(options: { client: PublicClient; chainId: number; port?: number }): Promise<FakeTxService> {
  const { client, chainId } = options;
  const requests: FakeTxServiceRequest[] = [];
  const transactions = new Map<Hex, FakeServiceTransaction>();
  const delegates: FakeTxService["delegates"] = [];
  let down: "503" | "refused" | false = false;
  let delay = 0;

  const readSafe = async (safe: Address) => {
    const [owners, threshold, nonce, version] = await Promise.all([
      client.readContract({ address: safe, abi: safeAbi, functionName: "getOwners" }),
      client.readContract({ address: safe, abi: safeAbi, functionName: "getThreshold" }),
      client.readContract({ address: safe, abi: safeAbi, functionName: "nonce" }),
      client.readContract({ address: safe, abi: safeAbi, functionName: "VERSION" }),
    ]);
    return { owners: owners.map((owner) => getAddress(owner)), threshold: Number(threshold), nonce, version };
  };

  const executions = async (safe: Address) => {
    const logs = await client.getLogs({ address: safe, event: executionSuccess, fromBlock: 0n });
    return new Map(logs.map((log) => [String(log.args.txHash).toLowerCase(), { transactionHash: log.transactionHash, blockNumber: Number(log.blockNumber) }]));
  };

  /** Splits concatenated 65-byte signatures and recovers each signer (v 27/28: EIP-712 hash; v 31/32: eth_sign of the hash). */
  const recoverSignatures = async (hash: Hex, signatures: Hex) => {
    if ((size(signatures) % 65) !== 0 || size(signatures) === 0) throw invalid("Signature length is not a multiple of 65 bytes");
    const parsed: Array<{ owner: Address; signature: Hex; signatureType: "EOA" | "ETH_SIGN" }> = [];
    for (let offset = 0; offset < size(signatures); offset += 65) {
      const signature = slice(signatures, offset, offset + 65);
      const v = Number(BigInt(slice(signature, 64, 65)));
      let owner: Address;
      try {
        if (v === 27 || v === 28) owner = await recoverAddress({ hash, signature });
        else if (v === 31 || v === 32)
          owner = await recoverAddress({ hash: hashMessage({ raw: hash }), signature: `${slice(signature, 0, 64)}${toHex(v - 4, { size: 1 }).slice(2)}` as Hex });
        else throw invalid(`Signature type v=${v} is not supported here`);
      } catch (error) {
        if (error instanceof HttpFailure) throw error;
        throw invalid(`Signature=${signature} is not valid`);
      }
      parsed.push({ owner: getAddress(owner), signature, signatureType: v > 30 ? "ETH_SIGN" : "EOA" });
    }
    return parsed;
  };

  const delegatesOf = (safe: Address) => delegates.filter((entry) => entry.safe === null || isAddressEqual(entry.safe, safe)).map((entry) => entry.delegate);

  const present = async (tx: FakeServiceTransaction) => {
    const executed = (await executions(tx.safe)).get(tx.safeTxHash.toLowerCase());
    const { threshold } = await readSafe(tx.safe);
    return {
      ...tx,
      executionDate: executed ? new Date().toISOString() : null,
      blockNumber: executed?.blockNumber ?? null,
      transactionHash: executed?.transactionHash ?? null,
      executor: null,
      isExecuted: Boolean(executed),
      isSuccessful: executed ? true : null,
      ethGasPrice: null,
      maxFeePerGas: null,
      maxPriorityFeePerGas: null,
      gasUsed: null,
      fee: null,
      confirmationsRequired: threshold,
      trusted: true,
      signatures: null,
      confirmations: tx.confirmations.map((confirmation) => ({ ...confirmation, transactionHash: null })),
    };
  };

  async function propose(safe: Address, body: any) {
    const fields = {
      to: getAddress(body.to),
      value: BigInt(body.value),
      data: (body.data ?? "0x") as Hex,
      operation: Number(body.operation),
      safeTxGas: BigInt(body.safeTxGas ?? 0),
      baseGas: BigInt(body.baseGas ?? 0),
      gasPrice: BigInt(body.gasPrice ?? 0),
      gasToken: getAddress(body.gasToken ?? zeroAddress),
      refundReceiver: getAddress(body.refundReceiver ?? zeroAddress),
      nonce: BigInt(body.nonce),
    };
    const safeTxHash = hashTypedData({ domain: { chainId, verifyingContract: safe }, types: safeTxTypes, primaryType: "SafeTx", message: fields });
    if (String(body.contractTransactionHash).toLowerCase() !== safeTxHash.toLowerCase())
      throw invalid(`Contract-transaction-hash=${safeTxHash} does not match provided contract-tx-hash=${body.contractTransactionHash}`);
    const state = await readSafe(safe);
    if (fields.nonce < state.nonce) throw invalid(`Nonce=${fields.nonce} too low for safe=${safe}`);
    const sender = getAddress(body.sender);
    const safeDelegates = delegatesOf(safe);
    if (!state.owners.includes(sender) && !safeDelegates.includes(sender))
      throw invalid(`Sender=${sender} is not an owner or delegate. Current owners=${state.owners}. Delegates=${safeDelegates}`);
    const parsed = body.signature ? await recoverSignatures(safeTxHash, body.signature as Hex) : [];
    if (parsed.length === 0) throw invalid("At least one signature is required");
    const seen: Address[] = [];
    for (const signature of parsed) {
      if (safeDelegates.includes(signature.owner) && !state.owners.includes(signature.owner) && parsed.length > 1) throw invalid("Just one signature is expected if using delegates");
      if (!state.owners.includes(signature.owner) && !safeDelegates.includes(signature.owner))
        throw invalid(`Signer=${signature.owner} is not an owner or delegate. Current owners=${state.owners}. Delegates=${safeDelegates}`);
      if (seen.includes(signature.owner)) throw invalid(`Signature for owner=${signature.owner} is duplicated`);
      seen.push(signature.owner);
    }
    if (!seen.includes(sender)) throw invalid(`Signature does not match sender=${sender}. Calculated owners=${seen}`);
    const now = new Date().toISOString();
    const existing = transactions.get(safeTxHash);
    const tx: FakeServiceTransaction = existing ?? {
      safe,
      to: fields.to,
      value: fields.value.toString(),
      data: fields.data === "0x" ? null : fields.data,
      operation: fields.operation,
      safeTxGas: fields.safeTxGas.toString(),
      baseGas: fields.baseGas.toString(),
      gasPrice: fields.gasPrice.toString(),
      gasToken: fields.gasToken,
      refundReceiver: fields.refundReceiver,
      nonce: fields.nonce.toString(),
      safeTxHash,
      proposer: sender,
      proposedByDelegate: state.owners.includes(sender) ? null : sender,
      origin: body.origin ?? null,
      submissionDate: now,
      modified: now,
      confirmations: [],
    };
    // Like the real service: only owners' signatures become confirmations (a delegate's signature only authorises the proposal).
    for (const signature of parsed)
      if (state.owners.includes(signature.owner) && !tx.confirmations.some((entry) => entry.owner === signature.owner))
        tx.confirmations.push({ owner: signature.owner, signature: signature.signature, signatureType: signature.signatureType, submissionDate: now });
    transactions.set(safeTxHash, tx);
    return 201;
  }

  async function confirm(safeTxHash: Hex, body: any) {
    const tx = [...transactions.values()].find((entry) => entry.safeTxHash.toLowerCase() === safeTxHash.toLowerCase());
    if (!tx) throw new HttpFailure(404, { detail: `Multisig transaction with safe-tx-hash=${safeTxHash} was not found` });
    if ((await executions(tx.safe)).has(tx.safeTxHash.toLowerCase())) throw invalid(`Transaction with safe-tx-hash=${safeTxHash} was already executed`);
    const { owners } = await readSafe(tx.safe);
    const parsed = await recoverSignatures(tx.safeTxHash, body.signature as Hex);
    for (const signature of parsed) if (!owners.includes(signature.owner)) throw invalid(`Signer=${signature.owner} is not an owner. Current owners=${owners}`);
    const now = new Date().toISOString();
    for (const signature of parsed)
      if (!tx.confirmations.some((entry) => entry.owner === signature.owner))
        tx.confirmations.push({ owner: signature.owner, signature: signature.signature, signatureType: signature.signatureType, submissionDate: now });
    tx.modified = now;
    return 201;
  }

  async function addDelegate(body: any) {
    const safe = body.safe ? getAddress(body.safe) : null;
    const delegate = getAddress(body.delegate);
    const delegator = getAddress(body.delegator);
    if (!body.label) throw new HttpFailure(400, { label: ["This field may not be blank."] });
    const totp = Math.floor(Date.now() / 1000 / 3600);
    const candidates: Address[] = [];
    for (const step of [totp, totp - 1]) {
      const eip712 = hashTypedData({
        domain: { name: "Safe Transaction Service", version: "1.0", chainId },
        types: { Delegate: [{ name: "delegateAddress", type: "address" }, { name: "totp", type: "uint256" }] },
        primaryType: "Delegate",
        message: { delegateAddress: delegate, totp: BigInt(step) },
      });
      const legacy = keccak256(stringToBytes(`${delegate}${step}`));
      for (const hash of [eip712, hashMessage({ raw: legacy })])
        try {
          candidates.push(getAddress(await recoverAddress({ hash, signature: body.signature as Hex })));
        } catch {
          /* not this form */
        }
    }
    if (!candidates.includes(delegator)) throw new HttpFailure(400, { signature: ["Signature does not match provided delegator"] });
    if (safe) {
      const { owners } = await readSafe(safe);
      if (!owners.includes(delegator)) throw new HttpFailure(400, { delegator: [`Provided delegator=${delegator} is not an owner of Safe=${safe}`] });
    }
    const existing = delegates.find((entry) => entry.delegate === delegate && entry.safe === safe);
    if (existing) Object.assign(existing, { delegator, label: body.label });
    else delegates.push({ safe, delegate, delegator, label: body.label });
    return 201;
  }

  async function route(method: string, url: URL, body: any): Promise<{ status: number; json?: unknown }> {
    const path = url.pathname;
    let match: RegExpMatchArray | null;
    if (method === "GET" && (match = path.match(/^\/v1\/safes\/(0x[0-9a-fA-F]{40})\/$/))) {
      const safe = getAddress(match[1]);
      const state = await readSafe(safe);
      return { status: 200, json: { address: safe, nonce: state.nonce.toString(), threshold: state.threshold, owners: state.owners, singleton: zeroAddress, modules: [], fallbackHandler: zeroAddress, guard: zeroAddress, version: state.version } };
    }
    if ((match = path.match(/^\/v2\/safes\/(0x[0-9a-fA-F]{40})\/multisig-transactions\/$/))) {
      const safe = getAddress(match[1]);
      if (method === "POST") return { status: await propose(safe, body) };
      if (method === "GET") {
        const query = url.searchParams;
        let results = await Promise.all([...transactions.values()].filter((tx) => isAddressEqual(tx.safe, safe)).map(present));
        if (query.get("executed") !== null) results = results.filter((tx) => tx.isExecuted === (query.get("executed") === "true"));
        if (query.get("nonce__gte") !== null) results = results.filter((tx) => BigInt(tx.nonce) >= BigInt(query.get("nonce__gte")!));
        if (query.get("nonce") !== null) results = results.filter((tx) => BigInt(tx.nonce) === BigInt(query.get("nonce")!));
        results.sort((a, b) => Number(BigInt(b.nonce) - BigInt(a.nonce)) || b.submissionDate.localeCompare(a.submissionDate));
        return { status: 200, json: { count: results.length, next: null, previous: null, results } };
      }
    }
    if (method === "GET" && (match = path.match(/^\/v2\/multisig-transactions\/(0x[0-9a-fA-F]{64})\/$/))) {
      const tx = [...transactions.values()].find((entry) => entry.safeTxHash.toLowerCase() === match![1].toLowerCase());
      if (!tx) return { status: 404, json: { detail: "No MultisigTransaction matches the given query." } };
      return { status: 200, json: await present(tx) };
    }
    if (method === "POST" && (match = path.match(/^\/v1\/multisig-transactions\/(0x[0-9a-fA-F]{64})\/confirmations\/$/)))
      return { status: await confirm(match[1] as Hex, body) };
    if (path === "/v2/delegates/" || path === "/v2/delegates") {
      if (method === "POST") return { status: await addDelegate(body) };
      if (method === "GET") {
        const safe = url.searchParams.get("safe");
        const delegate = url.searchParams.get("delegate");
        const results = delegates
          .filter((entry) => !safe || (entry.safe !== null && isAddressEqual(entry.safe, safe as Address)))
          .filter((entry) => !delegate || isAddressEqual(entry.delegate, delegate as Address))
          .map((entry) => ({ ...entry, expiryDate: null }));
        return { status: 200, json: { count: results.length, next: null, previous: null, results } };
      }
    }
    return { status: 404, json: { detail: "Not found." } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: any = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const record: FakeTxServiceRequest = { method: req.method ?? "GET", path: url.pathname + url.search, body, status: 0, authorization: req.headers.authorization, at: Date.now() };
    requests.push(record);
    if (delay) await new Promise((done) => setTimeout(done, delay));
    let status: number;
    let json: unknown;
    if (down === "503") {
      status = 503;
      json = { detail: "Service temporarily unavailable" };
    } else {
      try {
        ({ status, json } = await route(record.method, url, body));
      } catch (error) {
        if (error instanceof HttpFailure) ({ status, body: json } = error);
        else {
          status = 500;
          json = { detail: String(error) };
        }
      }
    }
    record.status = status;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(json === undefined ? "" : JSON.stringify(json));
  }

  let server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((done) => server.listen(options.port ?? 0, "127.0.0.1", () => done()));
  const port = (server.address() as AddressInfo).port;

  const close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    transactions,
    delegates,
    async setDown(mode) {
      if (mode === "refused" && down !== "refused") await close();
      if (mode !== "refused" && down === "refused") {
        server = createServer((req, res) => void handle(req, res));
        await new Promise<void>((done) => server.listen(port, "127.0.0.1", () => done()));
      }
      down = mode;
    },
    setDelay(ms) {
      delay = ms;
    },
    forgeConfirmation(safeTxHash, confirmation) {
      const tx = transactions.get(safeTxHash);
      if (!tx) throw new Error(`no transaction ${safeTxHash} in the fake service`);
      tx.confirmations.push({ owner: getAddress(confirmation.owner), signature: confirmation.signature, signatureType: "EOA", submissionDate: new Date().toISOString() });
    },
    calls: (method, path) => requests.filter((request) => request.method === method && path.test(request.path)),
    stop: () => (down === "refused" ? Promise.resolve() : close()),
  };
}
