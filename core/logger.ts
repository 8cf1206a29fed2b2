import { pino, type Logger } from "pino";

export type { Logger };

/** Paths pino blanks out, wherever they appear in a log line's object. */
const secretPaths = [
  "*.SLACK_BOT_TOKEN",
  "*.SLACK_SIGNING_SECRET",
  "*.SLACK_APP_TOKEN",
  "*.OPENAI_API_KEY",
  "*.RELAYER_PRIVATE_KEY",
  "*.privateKey",
  "*.token",
  "*.signingSecret",
  "*.apiKey",
  "*.authorization",
  "*.headers.authorization",
  "*.headers['x-slack-signature']",
];

/**
 * A structured JSON logger. Guarantees that the known secret fields are
 * replaced with "[redacted]" in every line, at any depth pino's redaction reaches.
 */
export function createLogger(level = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "treasury" },
      redact: { paths: secretPaths, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
