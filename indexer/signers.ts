import { hashMessage, recoverAddress, slice, type Address, type Hex } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { checksumAddress } from "./addresses.ts";
import type { ExecutionSigner } from "../db/chain-mirror/records.ts";


/**
 * The owners whose signatures executed a SafeTx, read from its `signatures`
 * bytes the way the Safe reads them: the first `threshold` 65-byte parts, each
 * by its `v`: 0 a contract signature (owner in r), 1 an approved hash (owner in
 * r), above 30 an `eth_sign` signature over the safeTxHash, otherwise an
 * EIP-712 ECDSA signature over the safeTxHash. Parts that do not parse are skipped.
 */
export async function recoverExecutionSigners(safeTxHash: Hex, signatures: Hex, threshold: number): Promise<ExecutionSigner[]> {
  const signers: ExecutionSigner[] = [];
  const length = (signatures.length - 2) / 2;
  const count = Math.min(threshold, Math.floor(length / 65));
  for (let index = 0; index < count; index++) {
    const part = slice(signatures, index * 65, index * 65 + 65);
    const r = slice(part, 0, 32);
    const v = Number.parseInt(part.slice(130, 132), 16);
    try {
      if (v === 0 || v === 1) {
        signers.push({ owner: checksumAddress(slice(r, 12, 32)), kind: v === 0 ? "contract" : "approved_hash" });
      } else if (v > 30) {
        const signature = `${part.slice(0, 130)}${(v - 4).toString(16).padStart(2, "0")}` as Hex;
        signers.push({ owner: await recoverSigner(hashMessage({ raw: safeTxHash }), signature), kind: "eth_sign" });
      } else {
        signers.push({ owner: await recoverSigner(safeTxHash, part), kind: "eoa" });
      }
    } catch {
      // Not a signature the Safe could have accepted; nothing to record.
    }
  }
  // The table holds one row per owner.
  return signers.filter((signer, index) => signers.findIndex((other) => other.owner === signer.owner) === index);
}

type NativeSecp256k1 = { ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed?: boolean): Uint8Array };
let native: Promise<NativeSecp256k1 | null> | undefined;

/**
 * The optional `secp256k1` package (libsecp256k1, prebuilt) recovers a key
 * about 15 times faster than pure JavaScript, which is what bounds a backfill
 * of a busy Safe. Without it (or when it cannot load), viem does the same work.
 */
function loadNativeSecp256k1(): Promise<NativeSecp256k1 | null> {
  const specifier = "secp256k1";
  native ??= import(specifier).then(
    (module: { default?: NativeSecp256k1 } & NativeSecp256k1) => {
      const library = module.default ?? module;
      return typeof library.ecdsaRecover === "function" ? library : null;
    },
    () => null,
  );
  return native;
}

/** Signatures recovered in this process and the time it took (for the benchmark's "what bounds it"). */
export const recoveryStats = { signatures: 0, ms: 0 };

/** The address whose key made a 65-byte ECDSA signature (r, s, v) over `hash`. Same result as viem's `recoverAddress`. */
export async function recoverSigner(hash: Hex, signature: Hex): Promise<Address> {
  const library = await loadNativeSecp256k1();
  const started = performance.now();
  recoveryStats.signatures++;
  try {
    return await recover(library, hash, signature);
  } finally {
    recoveryStats.ms += performance.now() - started;
  }
}

async function recover(library: NativeSecp256k1 | null, hash: Hex, signature: Hex): Promise<Address> {
  if (library) {
    const bytes = Buffer.from(signature.slice(2), "hex");
    const v = bytes[64];
    const recid = v >= 27 ? v - 27 : v;
    if (bytes.length === 65 && (recid === 0 || recid === 1)) {
      try {
        const publicKey = library.ecdsaRecover(bytes.subarray(0, 64), recid, Buffer.from(hash.slice(2), "hex"), false);
        return publicKeyToAddress(`0x${Buffer.from(publicKey).toString("hex")}`);
      } catch {
        // Not a valid signature for libsecp256k1: let viem decide.
      }
    }
  }
  return recoverAddress({ hash, signature });
}
