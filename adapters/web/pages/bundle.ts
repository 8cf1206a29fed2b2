import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export type WalletBundle = {
  /** The minified browser script (an IIFE). */
  code: string;
  /** A short hash of the code, for cache-busting URLs. */
  version: string;
};

const entryPoint = join(dirname(fileURLToPath(import.meta.url)), "client", "wallet.ts");
let cached: Promise<WalletBundle> | undefined;

/**
 * Bundles the wallet script (viem included) in memory with esbuild. Built once
 * per process and cached, so the service needs no build step; a failed build
 * is not cached, so the next request tries again.
 */
export function walletBundle(): Promise<WalletBundle> {
  cached ??= build({
    entryPoints: [entryPoint],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  })
    .then((result) => {
      const code = result.outputFiles[0].text;
      return { code, version: createHash("sha256").update(code).digest("hex").slice(0, 12) };
    })
    .catch((error) => {
      cached = undefined;
      throw error;
    });
  return cached;
}
