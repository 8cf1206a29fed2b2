import { z } from "zod";
import { optionalText, url } from "../core/config-fields.ts";

/** Search's variables: an OpenAI-compatible embeddings endpoint instead of the offline model. */
export const searchConfigSchema = z.object({
  EMBEDDINGS_URL: url("an OpenAI-compatible /v1 address for embeddings"),
  EMBEDDINGS_MODEL: optionalText,
  OPENAI_API_KEY: optionalText,
});

export type SearchConfig = z.infer<typeof searchConfigSchema>;
