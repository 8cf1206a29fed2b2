import { LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "../../core/logger.ts";

/** Bolt's logger over ours (the "slack" part); debug lines are built only when written. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ part: "slack" });
  let level = LogLevel.INFO;
  return {
    // Bolt logs at debug level on every request: build the line only when it is written.
    debug: (...messages: unknown[]) => {
      if (child.isLevelEnabled("debug")) child.debug(messages.map(String).join(" "));
    },
    info: (...messages: unknown[]) => child.info(messages.map(String).join(" ")),
    warn: (...messages: unknown[]) => child.warn(messages.map(String).join(" ")),
    error: (...messages: unknown[]) => child.error(messages.map(String).join(" ")),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
