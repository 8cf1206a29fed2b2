import type { TreasuryContext } from "../../../core/context.ts";
import { publicUrl } from "../../../core/config.ts";

/** The review page of a proposal, as people open it (base: PUBLIC_URL, or http://HOST:PORT). */
export function reviewUrl(ctx: Pick<TreasuryContext, "config">, proposal: { reviewToken: string }): string {
  return `${publicUrl(ctx.config)}/review/${encodeURIComponent(proposal.reviewToken)}`;
}

/** The one-time link-wallet page for a link request token. */
export function linkUrl(ctx: Pick<TreasuryContext, "config">, token: string): string {
  return `${publicUrl(ctx.config)}/link/${encodeURIComponent(token)}`;
}
