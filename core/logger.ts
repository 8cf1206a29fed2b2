import { pino, type Logger } from "pino";

export type { Logger };

/** Paths pino blanks out, wherever they appear in a log line's object. */
const secretPaths = [
  "*.SLACK_BOT_TOKEN",
  "*.SLACK_SIGNING_SECRET",
  "*.SLACK_APP_TOKEN",
  "*.OPENAI_API_KEY",
  "*.RELAYER_PRIVATE_KEY",
  "*.SAFE_TX_SERVICE_API_KEY",
  "*.SAFE_TX_SERVICE_DELEGATE_KEY",
  "*.privateKey",
  "*.token",
  "*.signingSecret",
  "*.apiKey",
  "*.authorization",
  "*.headers.authorization",
  "*.headers['x-slack-signature']",
];

/**
 * One-time links: the token after `/review/` or `/link/` opens a review page or
 * links a wallet, so it is a secret wherever it appears in a line (a message,
 * a URL, a request body a library logs; URL-encoded, JSON-escaped or not).
 */
const oneTimeLinkPattern = /(\\*\/|%2F)(review|link)(\\*\/|%2F)[A-Za-z0-9_\-.~]+/gi;

/** Replaces the token of every review or wallet-link URL or path in `text` with "[redacted]". */
export function redactOneTimeLinks(text: string): string {
  return text.replace(oneTimeLinkPattern, (_match, slash: string, kind: string, secondSlash: string) => `${slash}${kind}${secondSlash}[redacted]`);
}

/**
 * A structured JSON logger. Guarantees that the known secret fields are
 * replaced with "[redacted]" in every line, at any depth pino's redaction
 * reaches, and that no line carries the token of a review or wallet-link URL,
 * whatever field or message it is in.
 */
export function createLogger(level = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "treasury" },
      redact: { paths: secretPaths, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redactOneTimeLinks },
    },
    destination,
  );
}
