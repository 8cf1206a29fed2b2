import type apiKitModule from "@safe-global/api-kit";
import type { SafeMultisigTransactionResponse } from "@safe-global/types-kit";
import type { Address, Hex } from "viem";
import { TxServiceNotFoundError, TxServiceRefusedError, TxServiceUnavailableError } from "./errors.ts";

/**
 * The calls this treasury makes to the Safe Transaction Service, through
 * `@safe-global/api-kit`. Every call fails with a `TxServiceUnavailableError`
 * (retry) when the service is down, answers 5xx or 429, or takes longer than
 * the timeout; with a `TxServiceNotFoundError` on 404; and with a
 * `TxServiceRefusedError` (do not retry) on any other 4xx, carrying the
 * service's reason. The API key goes only in api-kit's Authorization header.
 */
export type TxServiceClient = {
  /** POST /v2/safes/{safe}/multisig-transactions/ */
  propose: (params: ProposeParameters) => Promise<void>;
  /** POST /v1/multisig-transactions/{safeTxHash}/confirmations/ */
  confirm: (safeTxHash: Hex, signature: Hex) => Promise<void>;
  /** GET /v2/safes/{safe}/multisig-transactions/?executed=false&nonce__gte={nonce} */
  pending: (safe: Address, currentNonce: number) => Promise<SafeMultisigTransactionResponse[]>;
  /** GET /v2/delegates/?safe={safe}&delegate={delegate} */
  isDelegate: (safe: Address, delegate: Address) => Promise<boolean>;
  /** POST /v2/delegates/ with an owner's signature of `Delegate(delegateAddress, totp)`, made in the owner's own wallet. */
  addDelegate: (params: { safe: Address; delegate: Address; delegator: Address; signature: Hex; label: string }) => Promise<void>;
};

export type ProposeParameters = {
  safe: Address;
  safeTxHash: Hex;
  safeTx: { to: Address; value: bigint; data: Hex; operation: number; safeTxGas: bigint; baseGas: bigint; gasPrice: bigint; gasToken: Address; refundReceiver: Address; nonce: bigint };
  sender: Address;
  senderSignature: Hex;
  /** Where the proposal comes from, shown in the Safe app. */
  origin: string;
};

type SafeApiKit = typeof apiKitModule.default;

/**
 * api-kit, loaded at the first call: it brings protocol-kit and viem's definitions of every chain (about 850
 * modules), which a treasury without a Transaction Service, and every process start, can do without.
 */
async function loadApiKit(): Promise<SafeApiKit> {
  // api-kit is typed as CommonJS (its default export is the module) but loads as ESM (its default export is the class).
  const { default: loaded } = (await import("@safe-global/api-kit")) as unknown as { default: SafeApiKit & { default?: SafeApiKit } };
  return loaded.default ?? loaded;
}

export type CreateTxServiceClientParameters = { url: string; apiKey?: string; chainId: number; timeoutMs?: number };

export function createTxServiceClient({ url, apiKey, chainId, timeoutMs = 15_000 }: CreateTxServiceClientParameters): TxServiceClient {
  let made: Promise<InstanceType<SafeApiKit>> | undefined;
  const apiKit = () => (made ??= loadApiKit().then((SafeApiKit) => new SafeApiKit({ chainId: BigInt(chainId), txServiceUrl: url.replace(/\/$/, ""), apiKey })));
  const call = async <T>(what: string, run: (api: InstanceType<SafeApiKit>) => Promise<T>) => {
    const api = await apiKit();
    return withTimeout(what, timeoutMs, () => run(api)).catch((error) => classify(what, error));
  };
  return {
    propose: async (params) => {
      const { safeTx } = params;
      await call("propose", (api) =>
        api.proposeTransaction({
          safeAddress: params.safe,
          safeTxHash: params.safeTxHash,
          safeTransactionData: {
            to: safeTx.to,
            value: safeTx.value.toString(),
            data: safeTx.data,
            operation: safeTx.operation,
            safeTxGas: safeTx.safeTxGas.toString(),
            baseGas: safeTx.baseGas.toString(),
            gasPrice: safeTx.gasPrice.toString(),
            gasToken: safeTx.gasToken,
            refundReceiver: safeTx.refundReceiver,
            nonce: Number(safeTx.nonce),
          },
          senderAddress: params.sender,
          senderSignature: params.senderSignature,
          origin: params.origin,
        }),
      );
    },
    confirm: async (safeTxHash, signature) => {
      await call("confirm", (api) => api.confirmTransaction(safeTxHash, signature));
    },
    pending: async (safe, currentNonce) => {
      const results: SafeMultisigTransactionResponse[] = [];
      for (let offset = 0; ; offset += 100) {
        const page = await call("list pending", (api) => api.getPendingTransactions(safe, { currentNonce, limit: 100, offset, ordering: "nonce" }));
        results.push(...page.results);
        if (!page.next || page.results.length === 0) return results;
      }
    },
    isDelegate: async (safe, delegate) => {
      const page = await call("list delegates", (api) => api.getSafeDelegates({ safeAddress: safe, delegateAddress: delegate }));
      return page.results.some((entry) => entry.delegate.toLowerCase() === delegate.toLowerCase());
    },
    addDelegate: async ({ safe, delegate, delegator, signature, label }) => {
      // api-kit signs the Delegate message itself with the signer it is given; the owner already signed it in their own
      // wallet, so the "signer" here only hands that signature over. The server never holds an owner's key.
      const signer = { signTypedData: async () => signature } as unknown as Parameters<InstanceType<SafeApiKit>["addSafeDelegate"]>[0]["signer"];
      await call("add delegate", (api) => api.addSafeDelegate({ safeAddress: safe, delegateAddress: delegate, delegatorAddress: delegator, label, signer }));
    },
  };
}

function withTimeout<T>(what: string, ms: number, run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TxServiceUnavailableError(`The Safe Transaction Service did not answer in ${ms / 1000} s (${what}).`)), ms);
    run().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Turns api-kit's HttpError (statusCode, message) and fetch's network errors into our retryable or final errors. */
function classify(what: string, error: unknown): never {
  if (error instanceof TxServiceUnavailableError) throw error;
  const status = typeof (error as { statusCode?: unknown })?.statusCode === "number" ? (error as { statusCode: number }).statusCode : undefined;
  const reason = reasonOf(error);
  if (status === undefined) throw new TxServiceUnavailableError(`The Safe Transaction Service is unreachable (${what}): ${reason}`, { cause: error });
  if (status >= 500 || status === 429) throw new TxServiceUnavailableError(`The Safe Transaction Service answered ${status} (${what}).`, { cause: error });
  if (status === 404) throw new TxServiceNotFoundError(`The Safe Transaction Service does not know it yet (${what}): ${reason}`, { cause: error });
  throw new TxServiceRefusedError(`The Safe Transaction Service refused it (${what}, ${status}): ${reason}`, status, { cause: error });
}

function reasonOf(error: unknown): string {
  const message = (error as { message?: unknown })?.message;
  const data = (error as { data?: unknown })?.data;
  const text = typeof message === "string" && message && message !== "[object Object]" ? message : data ? JSON.stringify(data) : String(error);
  return text.replace(/\s+/g, " ").slice(0, 300);
}
