import type { Address } from "viem";
import type { AssistantConfig } from "../../assistant/config.ts";
import type { Embedder } from "../../search/embedder.ts";
import type { TreasuryContext } from "../../core/context.ts";
import type { Logger } from "../../core/logger.ts";
import type { ProposerPolicy } from "./identity.ts";
import type { SlackApi } from "./web-api.ts";

/** What every part of the Slack adapter works with. */
export type SlackDeps = {
  /** The treasury this service runs; the Slack tables live in its database. */
  ctx: TreasuryContext;
  /** Every Safe this app serves, by address (the default one included). */
  treasuries: Map<Address, TreasuryContext>;
  /** The Web API with the home workspace's bot token (SLACK_BOT_TOKEN); work for a workspace goes through `apiFor`. */
  api: SlackApi;
  /** The Web API with a workspace's own bot token (`""`: the home workspace's), looked up at each call. */
  apiFor: (workspace: string) => SlackApi;
  /** The workspace (`""`: home) a request from this Slack team acts in. */
  workspaceOf: (teamId: string | undefined) => string;
  logger: Logger;
  settings: SlackSettings;
  /** Wakes the worker loop (a job was queued). */
  wake: () => void;
};

export type SlackSettings = {
  /** SLACK_CHANNEL_ID: the channel bound to the default Safe; notifications go there. */
  defaultChannel: string | undefined;
  proposers: ProposerPolicy;
  /** Owners who have not signed get one reminder after this long. */
  nudgeAfterMs: number;
  /** e.g. https://etherscan.io/tx/ (from EXPLORER_URL), or null. */
  explorerTxUrl: string | null;
  /** What the assistant answers with: its model settings and the embedder for the query side of search. */
  assistant: { config: AssistantConfig; embedder?: Embedder };
};
