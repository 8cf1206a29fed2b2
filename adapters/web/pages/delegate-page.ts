import { html } from "./html.ts";
import { renderPage } from "./layout.ts";

export type DelegatePageParameters = {
  /** The bot's own address, the delegate to add. */
  delegate: string;
  safeAddress: string;
  chainId: number;
  chainName: string;
  /** True when the service already lists the bot as a delegate of this Safe. */
  alreadyDelegate: boolean;
  scriptVersion: string;
};

export type DelegatePageData = { page: "delegate"; chainId: number; chainName: string };

/**
 * The page where an owner adds the bot's key as a delegate of the Safe in the
 * Safe Transaction Service, once, with one signature from their own wallet.
 * It says what a delegate can and cannot do before anything is signed.
 */
export function renderDelegatePage({ delegate, safeAddress, chainId, chainName, alreadyDelegate, scriptVersion }: DelegatePageParameters): string {
  const body = html`
<h1>Show proposals from Slack in the Safe app</h1>
<p class="subtitle">Safe <code>${safeAddress}</code> on ${chainName} (chain ${chainId})</p>
<section class="card" id="explain">
<h2>What you are allowing</h2>
<p>The Safe app's queue takes new transactions only from an owner or a <strong>delegate</strong>. The treasury bot has its own
key, <code id="delegate">${delegate}</code>, which is not an owner key. Adding it as a delegate lets payments proposed in Slack
appear in the Safe app's queue right away.</p>
<ul id="can">
<li><strong>A delegate can:</strong> propose transactions to the Safe app's queue, so owners see them there.</li>
</ul>
<ul id="cannot">
<li><strong>A delegate cannot:</strong> sign or approve a transaction, execute one, or move any money. Every payment still
needs the owners' own signatures, from their own wallets, up to the Safe's threshold.</li>
<li>It is not an on-chain change: nothing is sent to the Safe and no gas is spent. Any owner can remove the delegate in the
Safe app at any time.</li>
</ul>
</section>
<section class="card" id="wallet">
<h2>Sign once</h2>
<p id="already">${alreadyDelegate ? "The bot is already a delegate of this Safe; signing again only renews it." : "Your wallet will sign a message naming the bot's address and the current hour. Only an owner's signature is accepted."}</p>
<p id="wallet-status">Not connected.</p>
<div class="actions">
<button type="button" id="connect" class="secondary">Connect wallet</button>
<button type="button" id="sign-delegate" disabled>Sign and add the delegate</button>
</div>
<div class="message" id="message" role="status" aria-live="polite"></div>
</section>
`;
  const pageData: DelegatePageData = { page: "delegate", chainId, chainName };
  return renderPage({ title: "Add the treasury bot as a delegate", body, pageData, scriptVersion });
}
