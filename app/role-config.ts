import { z } from "zod";
import { optionalText, wholeNumber } from "../core/config-fields.ts";

/** The roles `npm start` runs as: everything in one process (the embedded default), or one stateless part of a hosted deployment. */
export const roles = ["all", "web", "worker", "indexer"] as const;
export type Role = (typeof roles)[number];

/**
 * The variables of stateless processes (PostgreSQL only): ROLE (the `--role` flag wins over it), how long a worker may
 * go without a heartbeat before another worker gets its Slack job, and how often a process that holds no lease tries to take one.
 */
export const roleConfigSchema = z.object({
  ROLE: optionalText.refine((value) => value === undefined || (roles as readonly string[]).includes(value), `is not a role (${roles.join(", ")})`),
  JOB_HEARTBEAT_SECONDS: wholeNumber(30, 10),
  LEASE_RETRY_MS: wholeNumber(2000, 50),
});

export type RoleConfig = z.infer<typeof roleConfigSchema>;
