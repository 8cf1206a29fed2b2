import type { WebClient } from "@slack/web-api";
import { createTokenBucket, defaultSlackRates, type Rate, type TokenBucket } from "./rate-limit.ts";

export type SlackMessage = {
  channel: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, string | number | boolean> };
};

export type SlackApi = {
  postMessage: (message: SlackMessage) => Promise<{ ts: string; channel: string }>;
  update: (message: SlackMessage & { ts: string }) => Promise<void>;
  postEphemeral: (message: { channel: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string }) => Promise<void>;
  openView: (triggerId: string, view: unknown) => Promise<void>;
  /** Opens a form on top of the one the trigger came from (closing it returns there). */
  pushView: (triggerId: string, view: unknown) => Promise<void>;
  permalink: (channel: string, messageTs: string) => Promise<string | undefined>;
  /** The DM channel with a user. */
  openDm: (userId: string) => Promise<string>;
  /** The person's display name (cached). */
  userName: (userId: string) => Promise<string>;
  /** Recent messages in a channel (or a thread), with metadata (for crash recovery). */
  history: (channel: string, oldestTs?: string, threadTs?: string) => Promise<Array<{ ts: string; metadata?: { event_type: string; event_payload: Record<string, unknown> } }>>;
};

export type CreateSlackApiParameters = {
  client: WebClient;
  /** Per-method token buckets; methods not named are not throttled here. */
  rates?: Record<string, Rate>;
  /**
   * The bot token of the workspace these calls are for, read at each call (a
   * reinstall changes it); omitted: the client's own token.
   */
  token?: () => string;
};

/**
 * The Web API calls the adapter makes. chat.postMessage, chat.update and
 * chat.postEphemeral wait for a token of their method's bucket. Retries on 429
 * (after Retry-After) and on 5xx (with backoff) are the WebClient's own
 * (`retryConfig`, `rejectRateLimitedCalls: false`).
 */
export function createSlackApi({ client, rates = defaultSlackRates, token }: CreateSlackApiParameters): SlackApi {
  const buckets = new Map<string, TokenBucket>(Object.entries(rates).map(([method, rate]) => [method, createTokenBucket(rate)]));
  const names = new Map<string, string>();
  const call = async (method: string, args: Record<string, unknown>): Promise<any> => {
    await buckets.get(method)?.take();
    return client.apiCall(method, token ? { ...args, token: token() } : args);
  };
  return {
    postMessage: async (message) => {
      const result = await call("chat.postMessage", { ...message, unfurl_links: false, unfurl_media: false });
      return { ts: String(result.ts), channel: String(result.channel) };
    },
    update: async (message) => {
      await call("chat.update", message);
    },
    postEphemeral: async (message) => {
      await call("chat.postEphemeral", message);
    },
    openView: async (triggerId, view) => {
      await call("views.open", { trigger_id: triggerId, view });
    },
    pushView: async (triggerId, view) => {
      await call("views.push", { trigger_id: triggerId, view });
    },
    permalink: async (channel, messageTs) => {
      try {
        const result = await call("chat.getPermalink", { channel, message_ts: messageTs });
        return typeof result.permalink === "string" ? result.permalink : undefined;
      } catch {
        return undefined;
      }
    },
    openDm: async (userId) => {
      const result = await call("conversations.open", { users: userId });
      return String(result.channel.id);
    },
    userName: async (userId) => {
      const known = names.get(userId);
      if (known) return known;
      try {
        const result = await call("users.info", { user: userId });
        const user = result.user ?? {};
        const name = String(user.profile?.display_name || user.real_name || user.name || userId);
        names.set(userId, name);
        return name;
      } catch {
        return userId;
      }
    },
    history: async (channel, oldestTs, threadTs) => {
      const result = await call(threadTs ? "conversations.replies" : "conversations.history", {
        channel,
        limit: 200,
        include_all_metadata: true,
        ...(threadTs ? { ts: threadTs } : {}),
        ...(oldestTs ? { oldest: oldestTs } : {}),
      });
      return (result.messages ?? []) as Array<{ ts: string; metadata?: { event_type: string; event_payload: Record<string, unknown> } }>;
    },
  };
}
