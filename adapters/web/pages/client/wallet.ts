/**
 * The browser side of the review and link pages. It talks to the person's own
 * wallet through EIP-1193 (`window.ethereum`) with viem, and to our server
 * through the JSON API. No key ever reaches the server: only signatures do.
 *
 * Bundled with viem by esbuild at build time (scripts/build.mjs; served by ../bundle.ts); runs in the browser.
 */
import { createWalletClient, custom, getAddress, type Address, type EIP1193Provider, type Hex, type WalletClient } from "viem";

// Type-only: erased from the browser bundle, so the page and its script cannot drift apart.
import type { LinkPageData } from "../link-page.ts";
import type { ReviewPageData } from "../review-page.ts";
import type { DelegatePageData } from "../delegate-page.ts";
type PageData = ReviewPageData | LinkPageData | DelegatePageData;

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

const element = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null;

function show(kind: "info" | "success" | "error", text: string, link?: { href: string; text: string }) {
  const box = element("message");
  if (!box) return;
  box.className = `message ${kind}`;
  box.textContent = text;
  if (link) {
    box.append(" ");
    const anchor = document.createElement("a");
    anchor.setAttribute("href", link.href);
    anchor.textContent = link.text;
    anchor.id = "message-link";
    box.append(anchor);
  }
}

function setStatus(text: string) {
  const status = element("wallet-status");
  if (status) status.textContent = text;
}

/** A short, readable reason out of a wallet or viem error. */
function reasonOf(error: unknown): string {
  if (error && typeof error === "object") {
    const { shortMessage, message, code } = error as { shortMessage?: string; message?: string; code?: number };
    if (code === 4001) return "You declined the request in your wallet.";
    if (shortMessage) return shortMessage;
    if (message) return message.split("\n")[0];
  }
  return String(error);
}

class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly payload: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function api<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(payload.error ?? `The server answered ${response.status}.`, response.status, payload);
  return payload as T;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function wrongNetworkMessage(walletChainId: number, data: { chainId: number; chainName?: string }): string {
  const name = data.chainName ? ` (${data.chainName})` : "";
  return `Your wallet is on chain ${walletChainId}; switch to chain ${data.chainId}${name} to continue. Nothing was signed.`;
}

function createWallet() {
  const provider = window.ethereum;
  if (!provider) return undefined;
  return createWalletClient({ transport: custom(provider) });
}

type Connection = { wallet: WalletClient; account: Address; chainId: number };

async function connect(wallet: WalletClient): Promise<Connection> {
  const [account] = await wallet.requestAddresses();
  if (!account) throw new Error("The wallet shared no account.");
  const chainId = await wallet.getChainId();
  return { wallet, account: getAddress(account), chainId };
}

/** Turns the JSON typed data from the server back into viem's shape: uint fields become bigint. */
function reviveTypedData(typedData: {
  domain: Record<string, unknown>;
  types: Record<string, Array<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, unknown>;
}) {
  const fields = typedData.types[typedData.primaryType] ?? [];
  const message: Record<string, unknown> = { ...typedData.message };
  for (const field of fields)
    if (/^u?int\d*$/.test(field.type) && message[field.name] !== undefined) message[field.name] = BigInt(message[field.name] as string);
  const domain: Record<string, unknown> = { ...typedData.domain };
  if (domain.chainId !== undefined) domain.chainId = Number(domain.chainId);
  const { EIP712Domain: _ignored, ...types } = typedData.types;
  return { domain, types, primaryType: typedData.primaryType, message };
}

type ProposalJson = {
  status: string;
  ready: boolean;
  threshold: number;
  owners: string[];
  approvals: Array<{ owner: string; name: string | null; source: string }>;
  executedTxHash: string | null;
};

/** Marks the connected owner's line in the approvals, and says whether they have signed. */
function renderYou(account: string | undefined, approvals: string[]) {
  const signed = !!account && approvals.some((owner) => owner.toLowerCase() === account.toLowerCase());
  const note = element("you-signed");
  if (note) note.hidden = !signed;
  for (const item of Array.from(document.querySelectorAll<HTMLLIElement>("#approval-list li"))) {
    const mine = !!account && (item.dataset.owner ?? "").toLowerCase() === account.toLowerCase();
    const existing = item.querySelector(".you");
    if (mine && !existing) {
      const you = document.createElement("span");
      you.className = "you";
      you.textContent = " (you)";
      item.append(you);
    } else if (!mine && existing) existing.remove();
  }
  return signed;
}

function renderApprovals(proposal: ProposalJson) {
  const count = element("approval-count");
  if (count) count.textContent = `${proposal.approvals.length} of ${proposal.threshold}`;
  const signed = new Map(proposal.approvals.map((approval) => [approval.owner.toLowerCase(), approval]));
  for (const item of Array.from(document.querySelectorAll<HTMLLIElement>("#approval-list li"))) {
    const approval = signed.get((item.dataset.owner ?? "").toLowerCase());
    if (!approval || item.classList.contains("signed")) continue;
    item.className = "signed";
    const hint = item.querySelector(".hint");
    if (hint) hint.textContent = `signed (${approval.source})`;
    if (approval.name && !item.querySelector(".label")) {
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = `${approval.name} `;
      item.prepend(label);
    }
  }
  const status = element("status");
  if (status) {
    status.textContent = proposal.status;
    status.className = `badge ${proposal.status}`;
  }
}

function startReviewPage(data: ReviewPageData) {
  const connectButton = element<HTMLButtonElement>("connect");
  const signButton = element<HTMLButtonElement>("sign");
  const executeButton = element<HTMLButtonElement>("execute");
  const relayerButton = element<HTMLButtonElement>("execute-relayer");
  const rejectButton = element<HTMLButtonElement>("reject");
  const base = `/api/review/${encodeURIComponent(data.token)}`;
  const wallet = createWallet();
  let connection: Connection | undefined;
  let ready = data.ready;
  let open = data.status === "pending";
  let busy = false;
  let approvals = data.approvals;

  const isOwner = () => !!connection && data.owners.some((owner) => owner.toLowerCase() === connection!.account.toLowerCase());
  const onChain = () => !!connection && connection.chainId === data.chainId;
  const hasSigned = () => !!connection && approvals.some((owner) => owner.toLowerCase() === connection!.account.toLowerCase());

  function refreshButtons() {
    const usable = !!connection && onChain() && open && !busy;
    if (signButton) signButton.disabled = !usable || hasSigned();
    if (rejectButton) rejectButton.disabled = !usable;
    for (const button of [executeButton, relayerButton]) {
      if (!button) continue;
      button.hidden = !(ready && open);
      button.disabled = !usable || !ready;
    }
    if (relayerButton && ready && open && !busy) relayerButton.disabled = false; // the relayer needs no wallet
  }

  async function busyWith(work: () => Promise<void>) {
    busy = true;
    refreshButtons();
    try {
      await work();
    } catch (error) {
      show("error", reasonOf(error));
    } finally {
      busy = false;
      refreshButtons();
    }
  }

  /** Asks the wallet for its chain again right before acting: people switch networks between clicks. */
  async function checkNetwork(): Promise<boolean> {
    if (!connection) return false;
    connection.chainId = await connection.wallet.getChainId();
    if (connection.chainId !== data.chainId) {
      show("error", wrongNetworkMessage(connection.chainId, data));
      refreshButtons();
      return false;
    }
    return true;
  }

  async function refreshProposal() {
    const proposal = await api<ProposalJson>("GET", base);
    ready = proposal.ready;
    open = proposal.status === "pending";
    approvals = proposal.approvals.map((approval) => approval.owner);
    renderApprovals(proposal);
    renderYou(connection?.account, approvals);
    return proposal;
  }

  /** Asks the server about the execution transaction until it is mined (or the chain never heard of it). */
  async function awaitExecution(txHash: Hex): Promise<{ success: boolean; message: string }> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await api<{ status: string; success?: boolean; message: string }>("POST", `${base}/executed`, { txHash });
        if (outcome.status === "executed" || outcome.status === "failed") return { success: outcome.status === "executed", message: outcome.message };
        if (Date.now() - started > 10 * 60_000)
          throw new Error(`Transaction ${txHash} is still not mined after 10 minutes. Reload this page later to see the outcome.`);
        show("info", `Sent ${txHash}; waiting for it to be mined...`);
      } catch (error) {
        // Not found yet: the chain may not have seen the transaction; give it a little while.
        if (!(error instanceof ApiError && error.payload.status === "not_found") || Date.now() - started > 60_000) throw error;
      }
      await sleep(Math.min(1000 + attempt * 500, 5000));
    }
  }

  connectButton?.addEventListener("click", () =>
    busyWith(async () => {
      if (!wallet) {
        show("error", "No browser wallet found. Install or unlock a wallet (for example MetaMask or Rabby) and reload this page.");
        return;
      }
      connection = await connect(wallet);
      if (connectButton) connectButton.textContent = "Reconnect wallet";
      const role = isOwner() ? "an owner of this Safe" : "not an owner of this Safe (the server will refuse its signature)";
      const signed = renderYou(connection.account, approvals);
      setStatus(`Connected: ${connection.account}, ${role}${signed ? ", and you have signed this proposal" : ""}. Wallet on chain ${connection.chainId}.`);
      if (!onChain()) show("error", wrongNetworkMessage(connection.chainId, data));
      else if (signed) show("success", "You have signed this proposal; your approval is recorded.");
      else show("info", isOwner() ? "Check the transfers and hashes above, then sign." : "This address is not an owner of the Safe.");
    }),
  );

  signButton?.addEventListener("click", () =>
    busyWith(async () => {
      if (!connection || !(await checkNetwork())) return;
      const signed = await api<Parameters<typeof reviveTypedData>[0]>("GET", `${base}/typed-data`);
      const typedData = reviveTypedData(signed);
      show("info", "Confirm the signature in your wallet; compare the safeTxHash shown there with the one above.");
      const signature = await connection.wallet.signTypedData({ account: connection.account, ...(typedData as any) });
      const result = await api<{ approvals: unknown[]; threshold: number; ready: boolean }>("POST", `${base}/signatures`, {
        signature,
        address: connection.account,
        chainId: connection.chainId,
        typedData: { domain: signed.domain, message: signed.message },
      });
      await refreshProposal();
      setStatus(`Connected: ${connection.account}, an owner of this Safe, and you have signed this proposal. Wallet on chain ${connection.chainId}.`);
      show(
        "success",
        result.ready
          ? `Your approval is recorded: ${result.approvals.length} of ${result.threshold}. The proposal is ready to execute.`
          : `Your approval is recorded: ${result.approvals.length} of ${result.threshold}.`,
      );
    }),
  );

  executeButton?.addEventListener("click", () =>
    busyWith(async () => {
      if (!connection || !(await checkNetwork())) return;
      const call = await api<{ to: Address; data: Hex; value: string }>("GET", `${base}/execution-call`);
      show("info", "Confirm the transaction in your wallet; it pays the gas.");
      const txHash = await connection.wallet.sendTransaction({
        account: connection.account,
        chain: null,
        to: call.to,
        data: call.data,
        value: BigInt(call.value),
      });
      show("info", `Sent ${txHash}; waiting for it to be mined...`);
      const outcome = await awaitExecution(txHash);
      await refreshProposal().catch(() => undefined);
      if (outcome.success) open = false;
      show(outcome.success ? "success" : "error", outcome.message);
    }),
  );

  relayerButton?.addEventListener("click", () =>
    busyWith(async () => {
      show("info", "Asking the relayer to execute...");
      const outcome = await api<{ txHash: string; status: string }>("POST", `${base}/execute`, {});
      open = false;
      await refreshProposal().catch(() => undefined);
      if (outcome.status === "executed") show("success", `Executed by the relayer in transaction ${outcome.txHash}.`);
      else show("error", `The relayer's transaction ${outcome.txHash} ran, but the payment itself failed (ExecutionFailure).`);
    }),
  );

  rejectButton?.addEventListener("click", () =>
    busyWith(async () => {
      if (!connection || !(await checkNetwork())) return;
      // The proof of who rejects is their signature of the rejection, which is also its first approval.
      // Nobody signed the proposal yet: the server cancels it off-chain instead (one rule everywhere).
      const signed = await api<Parameters<typeof reviveTypedData>[0]>("GET", `${base}/rejection/typed-data`);
      show("info", "Confirm in your wallet: you sign the rejection (a zero-value transaction from the Safe to itself on the same nonce).");
      const signature = await connection.wallet.signTypedData({ account: connection.account, ...(reviveTypedData(signed) as any) });
      const rejection = await api<
        { action: "cancel"; message: string } | { action: "reject_onchain"; reviewUrl: string; safeTxHash: string; approvals: number; threshold: number }
      >("POST", `${base}/reject`, {
        signature,
        address: connection.account,
        chainId: connection.chainId,
      });
      if (rejection.action === "cancel") {
        open = false;
        await refreshProposal().catch(() => undefined);
        show("success", rejection.message);
        return;
      }
      show("success", `A rejection was proposed on the same nonce, with your approval (${rejection.approvals} of ${rejection.threshold}). Other owners sign it like any proposal:`, {
        href: rejection.reviewUrl,
        text: "review the rejection",
      });
    }),
  );

  refreshButtons();
}

/**
 * A page where a person connects their wallet, then signs once (`actionId`
 * button): the button is enabled only while connected, idle and not yet done;
 * any failure is shown. `connected` says what to do next; `act` signs and
 * sends, and returns the success line (or undefined when it showed why not).
 */
function startSignOncePage({
  actionId,
  connected,
  act,
}: {
  actionId: string;
  connected: (connection: Connection) => void;
  act: (connection: Connection) => Promise<string | undefined>;
}) {
  const connectButton = element<HTMLButtonElement>("connect");
  const actionButton = element<HTMLButtonElement>(actionId);
  const wallet = createWallet();
  let connection: Connection | undefined;
  let done = false;

  const refresh = (busy = false) => {
    if (actionButton) actionButton.disabled = busy || done || !connection;
  };

  async function busyWith(work: () => Promise<void>) {
    refresh(true);
    try {
      await work();
    } catch (error) {
      show("error", reasonOf(error));
    } finally {
      refresh();
    }
  }

  connectButton?.addEventListener("click", () =>
    busyWith(async () => {
      if (!wallet) {
        show("error", "No browser wallet found. Install or unlock a wallet and reload this page.");
        return;
      }
      connection = await connect(wallet);
      setStatus(`Connected: ${connection.account}.`);
      connected(connection);
    }),
  );

  actionButton?.addEventListener("click", () =>
    busyWith(async () => {
      if (!connection) return;
      const success = await act(connection);
      if (success === undefined) return;
      done = true;
      show("success", success);
    }),
  );
  refresh();
}

function startLinkPage(data: LinkPageData) {
  const base = `/api/link/${encodeURIComponent(data.token)}`;
  startSignOncePage({
    actionId: "link",
    connected: () => show("info", "Now sign the message to link this address."),
    act: async (connection) => {
      const { message } = await api<{ message: string }>("POST", `${base}/message`, { address: connection.account });
      const signature = await connection.wallet.signMessage({ account: connection.account, message });
      const result = await api<{ address: string }>("POST", base, { message, signature });
      return `Linked ${result.address}. You can close this page.`;
    },
  });
}

function startDelegatePage(data: DelegatePageData) {
  startSignOncePage({
    actionId: "sign-delegate",
    connected: (connection) => {
      if (connection.chainId !== data.chainId) show("error", wrongNetworkMessage(connection.chainId, data));
      else show("info", "Now sign once to add the bot as a delegate.");
    },
    act: async (connection) => {
      const chainId = await connection.wallet.getChainId();
      if (chainId !== data.chainId) {
        show("error", wrongNetworkMessage(chainId, data));
        return undefined;
      }
      const typedData = reviveTypedData(await api("GET", "/api/delegate/typed-data"));
      const signature = await connection.wallet.signTypedData({ account: connection.account, ...(typedData as any) });
      const result = await api<{ delegator: string }>("POST", "/api/delegate", { signature, address: connection.account, chainId });
      return `Done: the bot is a delegate of this Safe, added by ${result.delegator}. Proposals from Slack now appear in the Safe app's queue.`;
    },
  });
}

function start() {
  const script = document.getElementById("page-data");
  if (!script?.textContent) return;
  const data = JSON.parse(script.textContent) as PageData;
  if (data.page === "review") startReviewPage(data);
  else if (data.page === "link") startLinkPage(data);
  else if (data.page === "delegate") startDelegatePage(data);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
