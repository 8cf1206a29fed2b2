import { z } from "zod";
import { optionalText, wholeNumber } from "../core/config-fields.ts";

/** The roles `npm start` runs as: everything in one process (the embedded default), or one stateless part of a hosted deployment. */
export const roles = ["all", "web", "worker", "indexer"] as const;
export type Role = (typeof roles)[number];

/**
 * The variables of stateless processes (PostgreSQL only): ROLE (the `--role` flag wins over it), how long a worker may
 * go without a heartbeat before another worker gets its Slack job, how often a process that holds no lease tries to take one,
 * how often the registry is read for Safes added since the start (each role serves them without a restart),
 * and how often an indexer resyncs a Safe's proposals and activity after batches with none of its events (see `safeBatchHooks`:
 * on a chain with fast blocks and many Safes, most batches are another Safe's; the talk in threads is searchable within this),
 * and how often an indexer following the head writes the checkpoint of blocks with none of a Safe's events (indexer.ts),
 * and the scheduling niceness a worker or indexer process takes (`yieldToRequests`).
 */
export const roleConfigSchema = z.object({
  ROLE: optionalText.refine((value) => value === undefined || (roles as readonly string[]).includes(value), `is not a role (${roles.join(", ")})`),
  JOB_HEARTBEAT_SECONDS: wholeNumber(30, 10),
  LEASE_RETRY_MS: wholeNumber(2000, 50),
  QUIET_BATCH_HOOKS_MS: wholeNumber(5000, 0),
  QUIET_CHECKPOINT_MS: wholeNumber(10_000, 0),
  SAFES_REFRESH_MS: wholeNumber(10_000, 100),
  BACKGROUND_NICE: wholeNumber(10, 0).refine((value) => value <= 19, "is above 19, the lowest priority"),
});

export type RoleConfig = z.infer<typeof roleConfigSchema>;
