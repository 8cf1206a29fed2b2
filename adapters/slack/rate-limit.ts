/** A rate: `perSecond` tokens refill each second, up to `burst` saved. */
export type Rate = { perSecond: number; burst: number };

export type TokenBucket = {
  /** Resolves when a token is available (taking it). Callers are served in order. */
  take: () => Promise<void>;
  /** Tokens available now (for tests and metrics). */
  available: () => number;
};

/**
 * A token bucket: at most `burst` calls at once, then `perSecond` a second.
 * Waiters queue in order; nothing is dropped.
 */
export function createTokenBucket({ perSecond, burst }: Rate, now: () => number = Date.now): TokenBucket {
  let tokens = burst;
  let last = now();
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const at = now();
    tokens = Math.min(burst, tokens + ((at - last) / 1000) * perSecond);
    last = at;
  };

  const takeOne = async () => {
    for (;;) {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - tokens) / perSecond) * 1000);
      await new Promise((done) => setTimeout(done, waitMs));
    }
  };

  return {
    take: () => {
      const turn = queue.then(takeOne);
      queue = turn.catch(() => undefined);
      return turn;
    },
    available: () => {
      refill();
      return tokens;
    },
  };
}

/** Slack's published limits, roughly: chat.postMessage ~1/s per channel (bursts allowed), chat.update Tier 3 (50+/min). */
export const defaultSlackRates: Record<string, Rate> = {
  "chat.postMessage": { perSecond: 1, burst: 20 },
  "chat.update": { perSecond: 50 / 60, burst: 20 },
  "chat.postEphemeral": { perSecond: 100 / 60, burst: 50 },
};
