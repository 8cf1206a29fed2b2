import { formatAmountForPeople } from "../../../core/money.ts";
import type { ProposalView } from "../../../core/proposals/view.ts";
import { compareAddresses, countDifferingDigits } from "../../../core/safety/address-diff.ts";
import type { ProposalWarning } from "../../../core/safety/warnings.ts";
import { html, type SafeHtml } from "./html.ts";
import { renderPage } from "./layout.ts";

export type ReviewPageParameters = {
  proposal: ProposalView;
  chainId: number;
  chainName: string;
  safeAddress: string;
  /** True when RELAYER_PRIVATE_KEY is set: the server can pay the gas of an execution. */
  relayer: boolean;
  explorerUrl?: string;
  /** For a rejection: the review link of the proposal it rejects. */
  rejectedProposalUrl?: string;
  /** Names of owners, by lowercased address, from the members' linked wallets. */
  ownerNames: Record<string, string | null>;
  scriptVersion: string;
};

/** What the wallet script needs to know about the page; no secrets, nothing the page does not already show. */
export type ReviewPageData = {
  page: "review";
  token: string;
  chainId: number;
  chainName: string;
  safeAddress: string;
  safeTxHash: string;
  status: ProposalView["status"];
  ready: boolean;
  relayer: boolean;
  owners: string[];
  /** Owners whose approval is stored: the page tells a connected owner that they have signed. */
  approvals: string[];
};

const kindTitles: Record<string, string> = {
  payment: "Payment proposal",
  rejection: "Rejection",
  owner_change: "Owner change",
  other: "Safe transaction",
};

function explorerTx(explorerUrl: string | undefined, txHash: string): SafeHtml {
  if (!explorerUrl) return html`<span class="mono">${txHash}</span>`;
  return html`<a class="mono" href="${explorerUrl.replace(/\/$/, "")}/tx/${txHash}" rel="noreferrer noopener">${txHash}</a>`;
}

function dateText(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function simulationOf(proposal: ProposalView): SafeHtml {
  const { simulation } = proposal;
  if (simulation === null)
    return html`<p class="hint" id="simulation">No simulation: the proposal is ${proposal.status}.</p>`;
  if (simulation.ok)
    return html`<p class="ok" id="simulation">Simulation from the Safe (eth_call) succeeds: the transaction would not revert today (gas used ${simulation.gasUsed.toString()}).</p>`;
  return html`<p class="bad" id="simulation">Simulation fails: ${simulation.reason}</p>`;
}

/**
 * `address` with the characters that differ from `other` (compared without
 * case: the case of a checksummed address is not a digit) in `<mark>`.
 */
export function markDifferences(address: string, other: string): SafeHtml {
  return html`${compareAddresses(address, other).map((run) => (run.differs ? html`<mark>${run.text}</mark>` : html`${run.text}`))}`;
}

function lookalikeComparison(warning: ProposalWarning, payeeLabel: string | null): SafeHtml {
  const pair = warning.lookalike!;
  const known = pair.knownLabel ? `${pair.knownLabel}'s address` : "the known address";
  const differing = countDifferingDigits(pair.payee, pair.known);
  return html`<p class="warning-text">${payeeLabel ? `The payee "${payeeLabel}"` : "This payee"} has the same first and last digits as ${known}, but it is a different address: possible address poisoning. Compare them digit by digit:</p>
<div class="lookalike">
<div class="lookalike-row"><span class="lookalike-label">This payment goes to</span><span class="mono lookalike-address" data-role="payee">${markDifferences(pair.payee, pair.known)}</span></div>
<div class="lookalike-row"><span class="lookalike-label">${pair.knownLabel ?? "Known address"}</span><span class="mono lookalike-address" data-role="known">${markDifferences(pair.known, pair.payee)}</span></div>
<p class="hint">${differing} of the ${pair.payee.length - 2} digits differ (highlighted).</p>
</div>`;
}

function signerList(proposal: ProposalView, ownerName: (owner: string) => string | null): SafeHtml {
  if (proposal.signedBy.length === 0) return html`<p class="hint" id="signed-by">Nobody signed this proposal.</p>`;
  return html`<ul class="approvals" id="signed-by">
${proposal.signedBy.map((signer) => {
  const name = signer.name ?? ownerName(signer.owner);
  return html`<li class="signed" data-owner="${signer.owner}">${name ? html`<span class="label">${name}</span> ` : ""}<span class="mono">${signer.owner}</span></li>`;
})}
</ul>`;
}

/** The review page of one proposal: what an owner checks before signing with their own wallet. */
export function renderReviewPage(parameters: ReviewPageParameters): string {
  const { proposal, chainId, chainName, safeAddress, relayer, explorerUrl, rejectedProposalUrl, ownerNames, scriptVersion } = parameters;
  const signed = new Map(proposal.approvals.map((approval) => [approval.owner.toLowerCase(), approval]));
  const ownerName = (owner: string) => signed.get(owner.toLowerCase())?.name ?? ownerNames[owner.toLowerCase()] ?? null;
  const open = proposal.status === "pending";
  const title = kindTitles[proposal.kind] ?? "Safe transaction";

  const transfers =
    proposal.transfers.length === 0
      ? html`<p class="hint">This transaction moves no funds.</p>`
      : html`<table id="transfers">
<thead><tr><th>Payee</th><th class="amount">Amount</th></tr></thead>
<tbody>
${proposal.transfers.map(
  (transfer) => html`<tr>
<td class="payee">${transfer.label ? html`<span class="label">${transfer.label}</span>` : html`<span class="label">Unlabelled address</span>`}<span class="address mono">${transfer.to}</span></td>
<td class="amount"><span class="amount-value">${formatAmountForPeople(transfer.amount, transfer.decimals)} ${transfer.symbol}</span>${
    transfer.token ? html`<span class="address mono token">${transfer.symbol} contract ${transfer.token}</span>` : html`<span class="address token">native coin</span>`
  }</td>
</tr>`,
)}
</tbody>
</table>`;

  const warnings =
    proposal.warnings.length === 0
      ? open
        ? html`<p class="ok">No warnings.</p>`
        : ""
      : html`<ul class="warnings" id="warnings">${proposal.warnings.map(
          (warning) => html`<li class="warning" data-code="${warning.code}"><strong class="warning-title">${warning.title}</strong>${
            warning.lookalike
              ? lookalikeComparison(warning, proposal.transfers.find((transfer) => transfer.to === warning.lookalike!.payee)?.label ?? null)
              : html`<p class="warning-text">${warning.message}</p>`
          }</li>`,
        )}</ul>`;

  const pendingApprovals = html`<p>Approvals: <strong id="approval-count">${proposal.approvals.length} of ${proposal.threshold}</strong>
<span class="hint">(the Safe executes with ${proposal.threshold} of its ${proposal.owners.length} owners)</span></p>
<ul class="approvals" id="approval-list">
${proposal.owners.map((owner) => {
  const approval = signed.get(owner.toLowerCase());
  const name = ownerName(owner);
  return html`<li class="${approval ? "signed" : "waiting"}" data-owner="${owner}">${name ? html`<span class="label">${name}</span> ` : ""}<span class="mono">${owner}</span>${
    approval ? html` <span class="hint">signed (${approval.source})</span>` : html` <span class="hint">not signed yet</span>`
  }</li>`;
})}
</ul>`;

  const { safeTx } = proposal;
  const body = html`
<h1>${title} <span class="badge ${proposal.status}" id="status">${proposal.status}</span></h1>
<p class="subtitle">Safe <span class="mono">${safeAddress}</span> on ${chainName} (chain ${chainId}) &middot; nonce ${proposal.nonce}</p>

<section class="card">
<h2>What this transaction does</h2>
${transfers}
${
  proposal.kind === "rejection"
    ? html`<p>This rejects the proposal on nonce ${proposal.nonce}${
        proposal.rejectsSafeTxHash ? html` (<span class="mono">${proposal.rejectsSafeTxHash}</span>)` : ""
      }: a zero-value call from the Safe to itself, so that nonce is used up and the other proposal can never execute.
${rejectedProposalUrl ? html`<a href="${rejectedProposalUrl}">Review the rejected proposal</a>.` : ""}</p>`
    : ""
}
<dl class="facts">
<dt>Memo</dt><dd class="memo" id="memo">${proposal.memo || html`<span class="hint">none</span>`}</dd>
<dt>Proposed by</dt><dd id="proposer">${proposal.proposer}</dd>
${proposal.category ? html`<dt>Category</dt><dd>${proposal.category}</dd>` : ""}
<dt>Proposed at</dt><dd>${dateText(proposal.createdAt)}</dd>
<dt>Nonce</dt><dd>${proposal.nonce}</dd>
${proposal.executedTxHash ? html`<dt>Executed in</dt><dd>${explorerTx(explorerUrl, proposal.executedTxHash)}</dd>` : ""}
</dl>
</section>

<section class="card">
<h2>Checks</h2>
${warnings}
${simulationOf(proposal)}
</section>

<section class="card" id="approvals">
${
  open
    ? html`<h2>Approvals</h2>
${pendingApprovals}
<p class="ok" id="you-signed" hidden>You have signed this proposal.</p>`
    : html`<h2>Signed by</h2>
${signerList(proposal, ownerName)}
${proposal.status === "executed" || proposal.status === "failed" ? html`<p class="hint">The owners whose signatures the Safe ran.</p>` : ""}`
}
</section>

<section class="card hashes">
<h2>Compare on your hardware wallet</h2>
<dl class="facts">
<dt>Domain hash</dt><dd class="mono" id="domain-hash">${proposal.hashes.domainHash}</dd>
<dt>Message hash</dt><dd class="mono" id="message-hash">${proposal.hashes.messageHash}</dd>
<dt>safeTxHash</dt><dd class="mono" id="safe-tx-hash">${proposal.hashes.safeTxHash}</dd>
</dl>
<details>
<summary>Raw SafeTx fields</summary>
<dl class="facts">
<dt>to</dt><dd class="mono">${safeTx.to}</dd>
<dt>value</dt><dd class="mono">${safeTx.value.toString()}</dd>
<dt>data</dt><dd class="mono">${safeTx.data}</dd>
<dt>operation</dt><dd>${safeTx.operation === 1 ? "1 (delegatecall)" : "0 (call)"}</dd>
<dt>safeTxGas</dt><dd class="mono">${safeTx.safeTxGas.toString()}</dd>
<dt>baseGas</dt><dd class="mono">${safeTx.baseGas.toString()}</dd>
<dt>gasPrice</dt><dd class="mono">${safeTx.gasPrice.toString()}</dd>
<dt>gasToken</dt><dd class="mono">${safeTx.gasToken}</dd>
<dt>refundReceiver</dt><dd class="mono">${safeTx.refundReceiver}</dd>
<dt>nonce</dt><dd class="mono">${safeTx.nonce.toString()}</dd>
</dl>
</details>
</section>

<section class="card" id="wallet">
<h2>Your wallet</h2>
<p id="wallet-status">Not connected.</p>
<div class="actions">
<button type="button" id="connect" class="secondary">Connect wallet</button>
<button type="button" id="sign" disabled>Sign</button>
${relayer ? html`<button type="button" id="execute-relayer" disabled hidden>Execute (relayer pays gas)</button>` : ""}
<button type="button" id="execute" disabled hidden>Execute from my wallet</button>
${proposal.kind !== "rejection" ? html`<button type="button" id="reject" class="danger" disabled>Reject</button>` : ""}
</div>
${open ? "" : html`<p class="hint">This proposal is ${proposal.status}; there is nothing left to sign.</p>`}
<p class="hint">Signing never moves funds by itself: the Safe executes once ${proposal.threshold} owners have signed.</p>
<div class="message" id="message" role="status" aria-live="polite"></div>
</section>
`;

  const pageData: ReviewPageData = {
    page: "review",
    token: proposal.reviewToken,
    chainId,
    chainName,
    safeAddress,
    safeTxHash: proposal.safeTxHash,
    status: proposal.status,
    ready: proposal.ready,
    relayer,
    owners: proposal.owners,
    approvals: proposal.approvals.map((approval) => approval.owner),
  };
  return renderPage({ title: `${title} #${proposal.nonce}`, body, pageData, scriptVersion });
}

/** A plain message page (unknown link, expired link). */
export function renderMessagePage(title: string, message: string): string {
  return renderPage({ title, body: html`<h1>${title}</h1><section class="card"><p>${message}</p></section>` });
}
