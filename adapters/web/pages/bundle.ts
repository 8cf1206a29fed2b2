import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { TreasuryError } from "../../../core/errors.ts";
import { projectFile } from "../../../core/project-files.ts";

export type WalletBundle = {
  /** The minified browser script (an IIFE). */
  code: string;
  /** A short hash of the code, for cache-busting URLs. */
  version: string;
};

/** Where the build (`npm run build`, run by `npm install`) writes the wallet script, bundled by esbuild with viem. */
export const walletBundleFile = projectFile("dist", "assets", "wallet.js");

export class WalletScriptMissingError extends TreasuryError {
  override name = "WalletScriptMissingError";
}

let cached: Promise<WalletBundle> | undefined;

/**
 * The wallet script the review and link pages load, as built ahead of time.
 * Read once per process; a missing file is not cached (the next request
 * looks again) and is reported as a build to run.
 */
export function walletBundle(): Promise<WalletBundle> {
  cached ??= readFile(walletBundleFile, "utf8")
    .then((code) => ({ code, version: createHash("sha256").update(code).digest("hex").slice(0, 12) }))
    .catch((cause) => {
      cached = undefined;
      throw new WalletScriptMissingError("The wallet page script is not built; run `npm run build`.", { cause, details: walletBundleFile });
    });
  return cached;
}
