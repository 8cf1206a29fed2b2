import { toHex, type Hex } from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

/** Hardhat's well-known development mnemonic: its keys hold only test money on local chains. */
export const developmentMnemonic = "test test test test test test test test test test test junk";

/** The development account at `index` (0 deploys and relays; 1 to 3 are the default owners). */
export function developmentAccount(index: number, mnemonic = developmentMnemonic): HDAccount {
  return mnemonicToAccount(mnemonic, { addressIndex: index });
}

/** The private key of development account `index`: test money only, for tests, the seed and benchmarks. */
export function developmentPrivateKey(index: number, mnemonic = developmentMnemonic): Hex {
  return toHex(developmentAccount(index, mnemonic).getHdKey().privateKey!);
}
