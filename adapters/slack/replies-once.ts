import type { TreasuryDatabase } from "../../db/handle.ts";
import { recordReplySent, type SlackJob } from "../../db/slack.ts";
import type { SlackApi } from "./web-api.ts";

/**
 * The Web API as one job sees it: its ephemeral replies are counted as they
 * are sent, and a try of the job after a crash skips as many as earlier tries
 * sent. Slack keeps no ephemeral message that a retry could look for (posted
 * ones go through `postOnce`). A reply is sent twice only if the process dies
 * between Slack's answer and the count's write; it is never lost.
 *
 * Guarantee rests on a job sending its replies in the same order on every try,
 * which holds for jobs whose replies follow from their payload and their saved
 * progress (`job.result`).
 */
export function repliesOnce(db: TreasuryDatabase, api: SlackApi, job: Pick<SlackJob, "id" | "repliesSent">): SlackApi {
  let toSkip = job.repliesSent;
  return {
    ...api,
    postEphemeral: async (message) => {
      if (toSkip > 0) {
        toSkip -= 1;
        return;
      }
      await api.postEphemeral(message);
      recordReplySent(db, job.id);
    },
  };
}
