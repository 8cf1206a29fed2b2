import type { Page } from "playwright-core";
import { createWalletClient, http, toHex, type Hex, type LocalAccount } from "viem";
import { chainFor } from "../../core/chain.ts";

export type WalletRequest = { method: string; params: unknown[] };

export type TestWalletOptions = {
  /** The key behind the wallet; it stays in the test process, the page only sees the provider. */
  account: LocalAccount;
  rpcUrl: string;
  chainId: number;
  /** The chain id the wallet claims to be on (a wrong-network wallet); defaults to `chainId`. */
  reportedChainId?: number;
};

export type TestWallet = {
  /** Every EIP-1193 request the page made, in order. */
  requests: WalletRequest[];
  methods: () => string[];
};

export const browserArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

type TypedDataJson = {
  domain: Record<string, unknown>;
  types: Record<string, Array<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, unknown>;
};

/** JSON typed data (as eth_signTypedData_v4 carries it) back into viem's shape: integers as bigint. */
function reviveTypedData(json: TypedDataJson) {
  const revive = (type: string, value: unknown): unknown => {
    if (/^u?int\d*$/.test(type)) return BigInt(value as string);
    const fields = json.types[type];
    if (fields && value && typeof value === "object")
      return Object.fromEntries(fields.map((field) => [field.name, revive(field.type, (value as Record<string, unknown>)[field.name])]));
    return value;
  };
  const domain = { ...json.domain };
  if (domain.chainId !== undefined) domain.chainId = Number(domain.chainId);
  const { EIP712Domain: _domainType, ...types } = json.types;
  return { domain, types, primaryType: json.primaryType, message: revive(json.primaryType, json.message) as Record<string, unknown> };
}

/** The page side of the wallet: an EIP-1193 provider that forwards every request to the test process. */
const injectedProvider = `
(() => {
  const provider = {
    isTestWallet: true,
    async request({ method, params }) {
      const answer = JSON.parse(await window.__testWalletRequest(method, JSON.stringify(params ?? [])));
      if (answer.error) {
        const error = new Error(answer.error.message);
        error.code = answer.error.code;
        throw error;
      }
      return answer.result;
    },
    on() {},
    removeListener() {},
  };
  Object.defineProperty(window, "ethereum", { value: provider, configurable: true });
})();
`;

class ProviderRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Injects an EIP-1193 wallet (`window.ethereum`) into the page, backed by a viem
 * local account in the test process through `page.exposeFunction`. It signs typed
 * data and messages, sends transactions to the real local chain, and forwards
 * read calls to the chain, like a browser wallet does.
 */
export async function installTestWallet(page: Page, options: TestWalletOptions): Promise<TestWallet> {
  const { account, rpcUrl, chainId } = options;
  const reportedChainId = options.reportedChainId ?? chainId;
  const chain = chainFor(chainId, rpcUrl);
  const walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const requests: WalletRequest[] = [];

  async function handle(method: string, params: unknown[]): Promise<unknown> {
    const sameAccount = (address: unknown) => {
      if (typeof address !== "string" || address.toLowerCase() !== account.address.toLowerCase())
        throw new ProviderRpcError(4100, `The wallet does not hold ${String(address)}.`);
    };
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [account.address];
      case "eth_chainId":
        return toHex(reportedChainId);
      case "net_version":
        return String(reportedChainId);
      case "eth_signTypedData_v4": {
        sameAccount(params[0]);
        const typedData = reviveTypedData(typeof params[1] === "string" ? JSON.parse(params[1]) : (params[1] as TypedDataJson));
        return account.signTypedData!(typedData as never);
      }
      case "personal_sign": {
        sameAccount(params[1]);
        return account.signMessage!({ message: { raw: params[0] as Hex } });
      }
      case "eth_sendTransaction": {
        const request = params[0] as { from: string; to: Hex; data?: Hex; value?: Hex; gas?: Hex };
        sameAccount(request.from);
        return walletClient.sendTransaction({
          to: request.to,
          data: request.data,
          value: request.value ? BigInt(request.value) : 0n,
          gas: request.gas ? BigInt(request.gas) : undefined,
        });
      }
      case "wallet_switchEthereumChain":
        throw new ProviderRpcError(4902, "The test wallet cannot switch chains.");
      default:
        return walletClient.request({ method: method as never, params: params as never });
    }
  }

  await page.exposeFunction("__testWalletRequest", async (method: string, paramsJson: string) => {
    const params = JSON.parse(paramsJson) as unknown[];
    requests.push({ method, params });
    try {
      return JSON.stringify({ result: await handle(method, params) });
    } catch (error) {
      const code = error instanceof ProviderRpcError ? error.code : -32603;
      return JSON.stringify({ error: { code, message: (error as Error).message.split("\n")[0] } });
    }
  });

  // A string, not a function: tsx's transform would add helpers (`__name`) that do not exist in the page.
  await page.addInitScript({ content: injectedProvider });

  return { requests, methods: () => requests.map((request) => request.method) };
}
