import { readFileSync } from "node:fs";
import { isHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { InvalidInputError } from "../../../core/errors.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { findProposal } from "../../../core/proposals/find.ts";
import { getProposal, safeTxTypedData, type ProposalView } from "../../../core/proposals/view.ts";
import { confirmYes, type PromptStreams } from "../prompt.ts";
import { withTreasury } from "../session.ts";
import { describeTransfers, printProposal } from "./proposal-output.ts";

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

export type SignOptions = { keyFile?: string; acceptWarnings?: boolean };

/** Signing stopped because the proposal has warnings nobody accepted; nothing was signed. */
export class WarningsNotAcceptedError extends InvalidInputError {
  override name = "WarningsNotAcceptedError";
}

/**
 * Goes on only if the warnings are accepted: by `--accept-warnings`, or by
 * typing "yes" on a terminal. Without a terminal and without the flag it
 * refuses, so a script never signs past a warning by accident.
 */
export async function acceptWarnings(
  proposal: Pick<ProposalView, "warnings">,
  options: { acceptWarnings?: boolean; terminal: boolean } & PromptStreams,
): Promise<void> {
  const count = proposal.warnings.length;
  if (count === 0) return;
  const titles = proposal.warnings.map((warning) => warning.title).join("; ");
  if (options.acceptWarnings) {
    options.output.write(`Signing despite ${count} warning${count === 1 ? "" : "s"} (--accept-warnings): ${titles}.\n`);
    return;
  }
  if (!options.terminal)
    throw new WarningsNotAcceptedError(
      `Not signed: this proposal has ${count} warning${count === 1 ? "" : "s"} (${titles}); read them above, then sign on a terminal or run again with --accept-warnings.`,
    );
  const yes = await confirmYes(`This proposal has ${count} warning${count === 1 ? "" : "s"} (above). Type "yes" to sign anyway: `, options);
  if (!yes) throw new WarningsNotAcceptedError("Not signed: the warnings were not accepted.");
}

/**
 * `treasury sign <proposal> [--key-file F] [--accept-warnings]` (the proposal
 * by number, `41` or `#41`, or by its safeTxHash or a unique prefix): an owner
 * approves from a terminal. First it shows what the review page shows (the
 * transfers, warnings, simulation and hashes); with any warning it asks for
 * "yes" (or refuses without a terminal, unless --accept-warnings). The key is
 * read from a file or typed at a hidden prompt, never taken from a flag; it
 * signs locally and only the signature leaves.
 */
export function signCommand(reference: string, options: SignOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const proposal = await getProposal(ctx, findProposal(ctx.db, reference).safeTxHash);
    printProposal(ctx, proposal);
    await acceptWarnings(proposal, { acceptWarnings: options.acceptWarnings, terminal: Boolean(process.stdin.isTTY), input: process.stdin, output: process.stderr });
    let key: Hex;
    if (options.keyFile) key = readKeyFile(options.keyFile);
    else if (process.stdin.isTTY) key = normaliseKey(await promptHidden("Owner private key (hidden): "), "What you typed");
    else throw new InvalidInputError("Give --key-file FILE (the key is never taken from a flag or piped in).");
    const account = privateKeyToAccount(key);
    console.log(`Signing    ${describeTransfers(proposal)} (nonce ${proposal.nonce}) as ${account.address}`);
    const signature = await account.signTypedData(safeTxTypedData(ctx, proposal));
    const result = await submitSignature(ctx, { safeTxHash: proposal.safeTxHash, signature, source: "key_file", signer: account.address });
    console.log(`Approved by ${result.owner}: ${result.approvals.length} of ${result.threshold}${result.ready ? `; ready to execute (treasury execute ${proposal.safeTxHash.slice(0, 10)})` : ""}`);
  });
}
