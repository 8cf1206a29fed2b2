import { keccak_256 } from "@noble/hashes/sha3";
import type { ExecutionSigner } from "../db/chain-mirror/records.ts";

/**
 * Who signed a SafeTx, read from its `signatures` bytes: what the signer
 * workers run. It loads only libsecp256k1 and a keccak, not viem, so a worker
 * is ready in a few milliseconds; viem is loaded only for what is rare (an
 * `eth_sign` signature, or a signature libsecp256k1 refuses). Owners come out in
 * lower case; `signers.ts` gives them checksummed.
 */

/** One owner's approval, its address in lower case. */
export type RecoveredSigner = { owner: `0x${string}`; kind: ExecutionSigner["kind"] };

/**
 * The owners whose signatures executed a SafeTx, read the way the Safe reads
 * them: the first `threshold` 65-byte parts, each by its `v`: 0 a contract
 * signature (owner in r), 1 an approved hash (owner in r), above 30 an
 * `eth_sign` signature over the safeTxHash, otherwise an EIP-712 ECDSA
 * signature over the safeTxHash. Parts that do not parse are skipped; an owner
 * is listed once.
 */
export async function recoverOwners(safeTxHash: `0x${string}`, signatures: `0x${string}`, threshold: number): Promise<RecoveredSigner[]> {
  const signers: RecoveredSigner[] = [];
  const hex = signatures.slice(2).toLowerCase();
  const count = Math.min(threshold, Math.floor(hex.length / 130));
  for (let index = 0; index < count; index++) {
    const part = hex.slice(index * 130, index * 130 + 130);
    const v = Number.parseInt(part.slice(128, 130), 16);
    try {
      if (v === 0 || v === 1) {
        signers.push({ owner: `0x${part.slice(24, 64)}`, kind: v === 0 ? "contract" : "approved_hash" });
      } else if (v > 30) {
        const { hashMessage } = await import("viem");
        const signature = `0x${part.slice(0, 128)}${(v - 4).toString(16).padStart(2, "0")}` as const;
        signers.push({ owner: await recoverSignerLowercase(hashMessage({ raw: safeTxHash }), signature), kind: "eth_sign" });
      } else {
        signers.push({ owner: await recoverSignerLowercase(safeTxHash, `0x${part}`), kind: "eoa" });
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

/** Signatures recovered in this thread and the time it took (for the benchmark's "what bounds it"). */
export const recoveryStats = { signatures: 0, ms: 0 };

/** The address, in lower case, whose key made a 65-byte ECDSA signature (r, s, v) over `hash`. Same address as viem's `recoverAddress`. */
export async function recoverSignerLowercase(hash: `0x${string}`, signature: `0x${string}`): Promise<`0x${string}`> {
  const library = await loadNativeSecp256k1();
  const started = performance.now();
  recoveryStats.signatures++;
  try {
    const bytes = Buffer.from(signature.slice(2), "hex");
    const v = bytes[64];
    const recid = v >= 27 ? v - 27 : v;
    if (library && bytes.length === 65 && (recid === 0 || recid === 1)) {
      let publicKey: Uint8Array | undefined;
      try {
        publicKey = library.ecdsaRecover(bytes.subarray(0, 64), recid, Buffer.from(hash.slice(2), "hex"), false);
      } catch {
        // Not a valid signature for libsecp256k1: let viem decide.
      }
      // The address is the last 20 bytes of the keccak of the key without its 0x04 prefix.
      if (publicKey) return `0x${Buffer.from(keccak_256(publicKey.subarray(1))).subarray(12).toString("hex")}`;
    }
    const { recoverAddress } = await import("viem");
    return (await recoverAddress({ hash, signature })).toLowerCase() as `0x${string}`;
  } finally {
    recoveryStats.ms += performance.now() - started;
  }
}
