import { z } from "zod";
import { optionalText, url } from "../core/config-fields.ts";

/** The assistant's variables: an OpenAI-compatible model, when one is used, and the explorer its receipts link to. */
export const assistantConfigSchema = z.object({
  OPENAI_BASE_URL: url("an OpenAI-compatible /v1 address"),
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: optionalText,
  EXPLORER_URL: url("a block explorer's base address"),
});

export type AssistantConfig = z.infer<typeof assistantConfigSchema>;
