import { z } from "zod";
import { optionalText } from "../core/config-fields.ts";

/** The demo's variable: the scenario replayed on the embedded chain's first start (`none`: off). */
export const demoConfigSchema = z.object({ DEMO_FIXTURE: optionalText });

export type DemoConfig = z.infer<typeof demoConfigSchema>;
