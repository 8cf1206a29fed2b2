import { readFileSync } from "node:fs";
import { isHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { InvalidInputError } from "../../../core/errors.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { getProposal, safeTxTypedData } from "../../../core/proposals/view.ts";
import { withTreasury } from "../session.ts";
import { describeTransfers } from "./proposal-output.ts";

/** Reads a private key from a file (0x-prefixed or bare 64 hex digits, surrounding whitespace ignored). */
export function readKeyFile(path: string): Hex {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new InvalidInputError(`Cannot read the key file ${path}.`);
  }
  return normaliseKey(text, `The key file ${path}`);
}

function normaliseKey(text: string, what: string): Hex {
  const trimmed = text.trim();
  const key = (trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`) as Hex;
  if (!isHex(key) || key.length !== 66) throw new InvalidInputError(`${what} does not hold a private key (64 hex digits).`);
  return key;
}

/** Asks for the key on the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdin, stderr } = process;
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let typed = "";
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          stderr.write("\n");
          resolve(typed);
          return;
        }
        if (char === "\u0003") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          stderr.write("\n");
          reject(new InvalidInputError("Cancelled."));
          return;
        }
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on("data", onData);
  });
}

export type SignOptions = { keyFile?: string };

/**
 * `treasury sign <safeTxHash> [--key-file F]`: an owner approves from a
 * terminal. The key is read from a file or typed at a hidden prompt, never
 * taken from a flag; it signs locally and only the signature leaves.
 */
export function signCommand(safeTxHash: string, options: SignOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const proposal = await getProposal(ctx, safeTxHash);
    let key: Hex;
    if (options.keyFile) key = readKeyFile(options.keyFile);
    else if (process.stdin.isTTY) key = normaliseKey(await promptHidden("Owner private key (hidden): "), "What you typed");
    else throw new InvalidInputError("Give --key-file FILE (the key is never taken from a flag or piped in).");
    const account = privateKeyToAccount(key);
    console.log(`Signing    ${describeTransfers(proposal)} (nonce ${proposal.nonce})`);
    console.log(`safeTxHash ${proposal.safeTxHash}`);
    const signature = await account.signTypedData(safeTxTypedData(ctx, proposal));
    const result = await submitSignature(ctx, { safeTxHash: proposal.safeTxHash, signature, source: "key_file", signer: account.address });
    console.log(`Approved by ${result.owner}: ${result.approvals.length} of ${result.threshold}${result.ready ? "; ready to execute (treasury execute " + proposal.safeTxHash + ")" : ""}`);
  });
}
