import { mnemonicToSeedSync } from "@scure/bip39";
import { toHex, type Hex } from "viem";
import { HDKey, hdKeyToAccount, type HDAccount } from "viem/accounts";

/** Hardhat's well-known development mnemonic: its keys hold only test money on local chains. */
export const developmentMnemonic = "test test test test test test test test test test test junk";

// The seed of a mnemonic takes 2048 rounds of PBKDF2 (tens of milliseconds in JavaScript, more on a busy
// machine); each account of it is a cheap derivation from the same master key. So the master key is made once.
const masterKeys = new Map<string, HDKey>();

/** The development account at `index` (0 deploys and relays; 1 to 3 are the default owners). */
export function developmentAccount(index: number, mnemonic = developmentMnemonic): HDAccount {
  let master = masterKeys.get(mnemonic);
  if (!master) masterKeys.set(mnemonic, (master = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic))));
  return hdKeyToAccount(master, { addressIndex: index });
}

/** The private key of development account `index`: test money only, for tests, the seed and benchmarks. */
export function developmentPrivateKey(index: number, mnemonic = developmentMnemonic): Hex {
  return toHex(developmentAccount(index, mnemonic).getHdKey().privateKey!);
}
