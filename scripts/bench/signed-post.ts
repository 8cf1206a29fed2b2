import { request as httpRequest, type Agent } from "node:http";
import { slackSignature } from "../../test/helpers/fake-slack.ts";
import { signingSecret } from "../../test/adapters/slack/harness.ts";

/**
 * One signed POST the way Slack sends it (as test/helpers/fake-slack.ts's
 * slackPoster), over node:http with the caller's keep-alive agent – lighter
 * than fetch, so a load generator takes less of the machine from the service.
 * A retry carries Slack's retry headers. Resolves with the status once the
 * whole answer has arrived.
 */
export function signedSlackPost(agent: Agent, url: URL, body: string, contentType: string, retry?: { num: number; reason: string }): Promise<number> {
  return new Promise<number>((done, fail) => {
    const timestamp = Math.floor(Date.now() / 1000);
    const request = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": contentType,
          "content-length": Buffer.byteLength(body),
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": slackSignature(signingSecret, timestamp, body),
          ...(retry ? { "x-slack-retry-num": String(retry.num), "x-slack-retry-reason": retry.reason } : {}),
        },
      },
      (response) => {
        response.resume();
        response.once("end", () => done(response.statusCode ?? 0));
        response.once("error", fail);
      },
    );
    request.once("error", fail);
    request.end(body);
  });
}
