import { z } from "zod";
import { optionalText, privateKey, url, wholeNumber } from "../config-fields.ts";

/**
 * The Safe Transaction Service sync's variables. It runs only when
 * SAFE_TX_SERVICE_URL is set. The API key and the delegate key are secrets:
 * they are never logged. The delegate key is the bot's own key, which an
 * owner adds as a delegate of the Safe; it is never an owner's key.
 */
export const txServiceConfigSchema = z.object({
  SAFE_TX_SERVICE_URL: url("the Safe Transaction Service's base address, e.g. https://api.safe.global/tx-service/eth/api"),
  SAFE_TX_SERVICE_API_KEY: optionalText,
  SAFE_TX_SERVICE_DELEGATE_KEY: privateKey,
  SAFE_TX_SERVICE_POLL_SECONDS: wholeNumber(15, 1),
});

export type TxServiceConfig = z.infer<typeof txServiceConfigSchema>;
