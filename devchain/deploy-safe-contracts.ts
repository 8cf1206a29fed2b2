import {
  concat,
  createPublicClient,
  createWalletClient,
  custom,
  getContractAddress,
  isAddressEqual,
  zeroHash,
  type Address,
  type EIP1193Provider,
  type PublicClient,
} from "viem";
import { chainFor } from "../core/chain.ts";
import {
  canonicalSafeContracts,
  supportedSafeVersions,
  type SafeContractAddresses,
  type SafeFlavour,
  type SupportedSafeVersion,
} from "../core/safe/deployments.ts";
import { developmentAccount } from "./accounts.ts";
import {
  deterministicDeploymentProxy,
  ensureDeterministicDeployer,
  hasCode,
  safeSingletonFactory,
  type DeterministicDeployer,
} from "./deterministic-deployers.ts";
import { safeContractBuilds } from "./safe-contracts.ts";
import { SafeBuildError } from "./errors.ts";

export type DeploySafeContractsParameters = {
  versions?: readonly SupportedSafeVersion[];
  /** The development account that pays for the deployments. */
  deployerIndex?: number;
};

/** Per version and flavour, the contracts a Safe of that kind uses (the flavours differ only in their singleton). */
export type DeploySafeContractsReturnType = Partial<Record<SupportedSafeVersion, Record<SafeFlavour, SafeContractAddresses>>>;

/** Safe deployed every contract of these versions with a zero salt. */
const salt = zeroHash;

/**
 * Puts Safe's contracts on the chain at their canonical addresses, as on public
 * chains: the deterministic deployment proxy (v1.3.0) or the Safe singleton
 * factory (v1.4.1) first, each from its presigned transaction, then each
 * contract through it with CREATE2, the same salt and the same init code as
 * Safe's own deployment. Contracts already there are left alone. Throws before
 * sending anything for a contract whose address would not be the one
 * `@safe-global/safe-deployments` names.
 */
export async function deploySafeContracts(
  provider: EIP1193Provider,
  { versions = supportedSafeVersions, deployerIndex = 0 }: DeploySafeContractsParameters = {},
): Promise<DeploySafeContractsReturnType> {
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const chain = chainFor(chainId);
  const wallet = createWalletClient({ account: developmentAccount(deployerIndex), chain, transport: custom(provider) });
  const client = createPublicClient({ chain, transport: custom(provider) }) as PublicClient;

  const deployed: DeploySafeContractsReturnType = {};
  for (const version of versions) {
    const deployer: DeterministicDeployer =
      version === "1.3.0" ? deterministicDeploymentProxy : safeSingletonFactory(chainId);
    await ensureDeterministicDeployer({ wallet, client, deployer });
    const canonical = { L1: canonicalSafeContracts(version, "L1"), L2: canonicalSafeContracts(version, "L2") };
    for (const build of safeContractBuilds.filter((one) => one.version === version)) {
      const initCode = build.initCode();
      const address = getContractAddress({ opcode: "CREATE2", from: deployer.address, salt, bytecode: initCode });
      const expected = canonical[build.flavour ?? "L2"][build.role];
      if (!isAddressEqual(address, expected))
        throw new SafeBuildError(
          `${build.contractName} v${version} would land at ${address}, not at its canonical ${expected}: the package's bytecode is not the one Safe deployed.`,
        );
      if (await hasCode(client, address)) continue;
      const hash = await wallet.sendTransaction({ to: deployer.address, data: concat([salt, initCode]) });
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success" || !(await hasCode(client, address)))
        throw new SafeBuildError(`Deploying ${build.contractName} v${version} through the ${deployer.name} failed (transaction ${hash}).`);
    }
    deployed[version] = canonical;
  }
  return deployed;
}

/** True when every contract of the version is on the chain at its canonical address. */
export async function safeContractsAreLive(client: Pick<PublicClient, "getCode">, version: SupportedSafeVersion): Promise<boolean> {
  const addresses = new Set<Address>([
    ...Object.values(canonicalSafeContracts(version, "L1")),
    ...Object.values(canonicalSafeContracts(version, "L2")),
  ]);
  for (const address of addresses) if (!(await hasCode(client, address))) return false;
  return true;
}
