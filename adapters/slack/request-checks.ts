import { isValidSlackRequest } from "@slack/bolt";
import express, { type NextFunction, type Request, type Response } from "express";

/** The largest request body accepted (Slack's payloads are far smaller). */
export const maxSlackBodyBytes = 1024 * 1024;

/** How far a request's timestamp may be from our clock, either way (Slack's own rule: five minutes). */
export const maxSlackClockSkewSeconds = 5 * 60;

const knownInteractionTypes = new Set([
  "block_actions",
  "view_submission",
  "view_closed",
  "shortcut",
  "message_action",
  "block_suggestion",
  "interactive_message",
  "dialog_submission",
]);

/**
 * Checks every Slack request before Bolt, which then checks no signature
 * itself (`signatureVerification: false`): a missing, wrong or stale signature
 * gets 401 (Bolt's own check, `isValidSlackRequest`), and so does a request
 * dated more than five minutes in the future (Bolt only refuses old ones, so a
 * signature made ahead of time could be replayed for as long as its date lies
 * ahead); a correctly signed body whose shape is not a Slack payload, or that
 * does not parse, gets 400 at once. Reads the body once (at most 1 MB, else
 * 413) and hands it to Bolt as `rawBody`.
 */
export function checkSlackRequest(signingSecret: string) {
  const readBody = express.raw({ type: () => true, limit: maxSlackBodyBytes });
  return [
    readBody,
    (request: Request, response: Response, next: NextFunction) => {
      const raw: Buffer = Buffer.isBuffer(request.body) ? request.body : Buffer.from("");
      (request as any).rawBody = raw;
      const text = raw.toString("utf8");
      const timestamp = Number(request.headers["x-slack-request-timestamp"]);
      if (Number.isFinite(timestamp) && timestamp > Math.floor(Date.now() / 1000) + maxSlackClockSkewSeconds)
        return response.status(401).json({ error: "The request is dated more than 5 minutes in the future." });
      const valid = isValidSlackRequest({
        signingSecret,
        body: text,
        headers: {
          "x-slack-signature": String(request.headers["x-slack-signature"] ?? ""),
          "x-slack-request-timestamp": timestamp,
        },
      });
      if (!valid) return response.status(401).json({ error: "The request's Slack signature is missing, wrong or stale." });
      let body: any;
      try {
        const contentType = String(request.headers["content-type"] ?? "");
        if (contentType.startsWith("application/x-www-form-urlencoded")) {
          const form = new URLSearchParams(text);
          body = form.has("payload") ? JSON.parse(form.get("payload")!) : Object.fromEntries(form);
        } else body = JSON.parse(text);
      } catch {
        return response.status(400).json({ error: "The body is not a Slack payload (invalid JSON or form)." });
      }
      const problem = shapeProblem(body);
      if (problem) return response.status(400).json({ error: problem });
      next();
    },
  ];
}

/** Why a parsed, signed body is not a payload this app can handle, or undefined when it is. */
export function shapeProblem(body: any): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return "The body is not a Slack payload object.";
  if (body.ssl_check || body.type === "url_verification") return undefined;
  if (body.type === "event_callback") {
    if (typeof body.event_id !== "string" || !body.event || typeof body.event !== "object" || typeof body.event.type !== "string")
      return "An event callback needs event_id and an event with a type.";
    return undefined;
  }
  if (typeof body.command === "string") {
    if (typeof body.user_id !== "string" || typeof body.channel_id !== "string") return "A slash command needs user_id and channel_id.";
    return undefined;
  }
  if (knownInteractionTypes.has(body.type)) {
    if (typeof body.user?.id !== "string") return "An interaction needs a user.";
    if (body.type === "block_actions" && (!Array.isArray(body.actions) || body.actions.length === 0 || typeof body.actions[0]?.action_id !== "string"))
      return "A block action needs an actions list with an action_id.";
    if ((body.type === "view_submission" || body.type === "view_closed") && (typeof body.view !== "object" || typeof body.view?.callback_id !== "string"))
      return "A view payload needs a view with a callback_id.";
    return undefined;
  }
  return `Unknown Slack payload type${typeof body.type === "string" ? ` “${body.type.slice(0, 40)}”` : ""}.`;
}
