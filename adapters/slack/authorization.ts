import { webApi, type Authorize } from "@slack/bolt";
import { shortMessageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";

/**
 * Bolt's `authorize` for the one bot token: answers at once with the token
 * and, once known, the bot's ids from a single `auth.test`. The check runs in
 * the background and is retried (at most every 30 s) after a failure, so no
 * acknowledgement ever waits for Slack's Web API. (Bolt's own single-token
 * authorize either calls `auth.test` once at construction and keeps a failure
 * for ever, or – without token verification – calls it on every request.)
 */
export function botAuthorization({ client, token, logger }: { client: InstanceType<typeof webApi.WebClient>; token: string; logger: Logger }): {
  authorize: Authorize<boolean>;
  verify: () => Promise<void>;
} {
  let identity: { botId?: string; botUserId?: string } | undefined;
  let checking: Promise<void> | undefined;
  let lastFailure = 0;
  const verify = () =>
    (checking ??= client.auth
      .test({ token })
      .then((result) => {
        identity = { botId: result.bot_id, botUserId: result.user_id };
      })
      .catch((error) => {
        lastFailure = Date.now();
        logger.error({ err: shortMessageOf(error) }, "Slack auth.test failed: check SLACK_BOT_TOKEN (will try again)");
      })
      .finally(() => {
        checking = undefined;
      }));
  return {
    authorize: async () => {
      if (!identity && !checking && Date.now() - lastFailure > 30_000) void verify();
      return { botToken: token, ...identity };
    },
    verify,
  };
}
