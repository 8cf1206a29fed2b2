import { z } from "zod";
import { optionalText } from "../../core/config-fields.ts";

/** The command line's variable: who it acts as when it proposes, rejects or adds payees. */
export const cliConfigSchema = z.object({ TREASURY_MEMBER: optionalText });

export type CliConfig = z.infer<typeof cliConfigSchema>;
