import { html } from "./html.ts";
import { renderPage } from "./layout.ts";

export type LinkPageParameters = {
  token: string;
  /** Who asked for the link (a member id or name), shown so the person knows whose identity they prove. */
  memberName: string;
  expiresAt: number;
  chainId: number;
  scriptVersion: string;
};

export type LinkPageData = { page: "link"; token: string; chainId: number };

/** The link-wallet page: prove an address with a Sign-In with Ethereum message. */
export function renderLinkPage({ token, memberName, expiresAt, chainId, scriptVersion }: LinkPageParameters): string {
  const body = html`
<h1>Link your wallet</h1>
<p class="subtitle">For <span class="label" id="member">${memberName}</span> &middot; this link works once and expires at
${new Date(expiresAt * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")}.</p>
<section class="card" id="wallet">
<h2>Prove the address is yours</h2>
<p>Your wallet signs a Sign-In with Ethereum message. It costs nothing and moves no funds; it only tells the treasury
that this address belongs to you, so your approvals carry your name.</p>
<p id="wallet-status">Not connected.</p>
<div class="actions">
<button type="button" id="connect" class="secondary">Connect wallet</button>
<button type="button" id="link" disabled>Sign and link</button>
</div>
<div class="message" id="message" role="status" aria-live="polite"></div>
</section>
`;
  const pageData: LinkPageData = { page: "link", token, chainId };
  return renderPage({ title: "Link your wallet", body, pageData, scriptVersion });
}
