import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { keccak256, toHex, type Hex } from "viem";
import { projectRoot } from "../core/project-files.ts";
import { SafeBuildError } from "./errors.ts";

const require = createRequire(import.meta.url);

type StandardJsonInput = {
  language: string;
  sources: Record<string, { content: string }>;
  settings: Record<string, unknown>;
};

/**
 * Safe v1.3.0's canonical SignMessageLib was not built from the v1.3.0 release
 * that `@gnosis.pm/safe-contracts@1.3.0` ships, but from the later tag
 * v1.3.0-libs.0, which only moved it (and GnosisSafeStorage) from
 * contracts/examples/libraries/ to contracts/libraries/: an import path and two
 * storage names changed. The compiler's metadata hash covers source names and
 * texts, so its bytecode, and thus its CREATE2 address, differ. These are those
 * edits, applied to the package's own sources; each must find its text.
 */
const relocations = [
  {
    from: "contracts/examples/libraries/GnosisSafeStorage.sol",
    to: "contracts/libraries/GnosisSafeStorage.sol",
    edits: [
      ["bytes32 internal nonce;", "uint256 internal nonce;"],
      ["bytes32 internal domainSeparator;", "bytes32 internal _deprecatedDomainSeparator;"],
    ],
  },
  {
    from: "contracts/examples/libraries/SignMessage.sol",
    to: "contracts/libraries/SignMessageLib.sol",
    edits: [['import "../../GnosisSafe.sol";', 'import "../GnosisSafe.sol";']],
  },
] as const;

const target = { file: "contracts/libraries/SignMessageLib.sol", contract: "SignMessageLib" };

/** The compiler input of the canonical v1.3.0 SignMessageLib: the package's v0.7.6 build input with the relocation applied. */
function signMessageLibInput(): StandardJsonInput {
  const buildInfoDir = join(dirname(require.resolve("@gnosis.pm/safe-contracts/package.json")), "build/artifacts/build-info");
  for (const name of readdirSync(buildInfoDir)) {
    const info = JSON.parse(readFileSync(join(buildInfoDir, name), "utf8")) as { solcVersion: string; input: StandardJsonInput };
    if (info.solcVersion !== "0.7.6" || !info.input.sources[relocations[1].from]) continue;
    const sources = { ...info.input.sources };
    for (const relocation of relocations) {
      let content = sources[relocation.from].content;
      for (const [before, after] of relocation.edits) {
        if (!content.includes(before)) throw new SafeBuildError(`${relocation.from} no longer reads "${before}"; the Safe v1.3.0 package changed.`);
        content = content.replace(before, after);
      }
      sources[relocation.to] = { content };
    }
    const settings = {
      ...info.input.settings,
      outputSelection: { [target.file]: { [target.contract]: ["evm.bytecode.object"] } },
    };
    return { language: "Solidity", sources, settings };
  }
  throw new SafeBuildError("@gnosis.pm/safe-contracts@1.3.0 ships no solc 0.7.6 build input with SignMessageLib.");
}

/**
 * The init code of Safe v1.3.0's canonical SignMessageLib, compiled with solc
 * 0.7.6 (the `solc-0.7.6` package) on first use, then read from a cache file
 * keyed by the exact compiler input.
 */
export function signMessageLib130InitCode(cacheDir = join(projectRoot, "cache", "safe-1.3.0-libs")): Hex {
  const known = compiled.get(cacheDir);
  if (known) return known;
  const bytecode = compileOrRead(cacheDir);
  compiled.set(cacheDir, bytecode);
  return bytecode;
}

const compiled = new Map<string, Hex>();

function compileOrRead(cacheDir: string): Hex {
  const input = signMessageLibInput();
  const text = JSON.stringify(input);
  const cacheFile = join(cacheDir, `SignMessageLib-${keccak256(toHex(text)).slice(2, 18)}.json`);
  if (existsSync(cacheFile)) return (JSON.parse(readFileSync(cacheFile, "utf8")) as { bytecode: Hex }).bytecode;

  const solc = require("solc-0.7.6") as { compile(input: string): string; version(): string };
  const output = JSON.parse(solc.compile(text)) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const failure = output.errors?.find((error) => error.severity === "error");
  const object = output.contracts?.[target.file]?.[target.contract]?.evm.bytecode.object;
  if (failure || !object)
    throw new SafeBuildError("Compiling Safe v1.3.0's SignMessageLib failed.", { details: failure?.formattedMessage });
  const bytecode = `0x${object}` as Hex;
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ compiler: solc.version(), bytecode }));
  renameSync(temporary, cacheFile);
  return bytecode;
}
