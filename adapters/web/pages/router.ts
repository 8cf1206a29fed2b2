import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import type { TreasuryContext } from "../../../core/context.ts";
import { InvalidInputError, TreasuryError, shortMessageOf } from "../../../core/errors.ts";
import { findLinkRequest, memberNameForAddress, type StoredLinkRequest } from "../../../db/people.ts";
import { findSafeOfProposal } from "../../../db/proposals.ts";
import { boundSafeId } from "../../../db/safes.ts";
import { ProposalNotFoundError, ProposalStateError, RelayerNotConfiguredError, SignatureRefusedError, ThresholdNotMetError } from "../../../core/proposals/errors.ts";
import { buildExecutionCall, checkExecution, executeProposal } from "../../../core/proposals/execute.ts";
import { proposeSignedRejection, rejectionTypedData } from "../../../core/proposals/reject.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { getProposal, getProposalByReviewToken, safeTxTypedData, type ProposalView } from "../../../core/proposals/view.ts";
import { completeLink, linkMessage } from "../../../core/people/wallet-link.ts";
import { walletBundle } from "./bundle.ts";
import { renderLinkPage } from "./link-page.ts";
import { contentSecurityPolicy, pagesCss } from "./layout.ts";
import { renderMessagePage, renderReviewPage } from "./review-page.ts";
import { reviewUrl } from "./urls.ts";
import type { TxServiceClient } from "../../../core/tx-service/client.ts";
import { addBotDelegate, delegateTypedData, DelegateSignatureRefusedError } from "../../../core/tx-service/delegate.ts";
import { renderDelegatePage } from "./delegate-page.ts";

export type CreateWalletPagesRouterParameters = {
  /** The deployment's own Safe: the delegate page acts on it (a link page acts on the Safe its link was made for). */
  ctx: TreasuryContext;
  /** Every Safe the service runs (`ctx` among them): a review page acts on its proposal's Safe, a link page on its link's. Default: `ctx` alone. */
  contexts?: readonly TreasuryContext[];
  /** The Safe Transaction Service and the bot's delegate address: turns on the delegate page (`/delegate`). */
  txService?: { client: TxServiceClient; delegate: Address };
};

/** The page asked for does not exist (unknown token): 404. */
export class PageNotFoundError extends TreasuryError {
  override name = "PageNotFoundError";
}

/** The wallet is on another chain than the treasury: 409, nothing stored. */
export class WrongNetworkError extends InvalidInputError {
  override name = "WrongNetworkError";
}

/** The link token is expired or already used: 410. */
export class LinkUnavailableError extends InvalidInputError {
  override name = "LinkUnavailableError";
}

const hex = (what: string, max = 4096) =>
  z
    .string({ error: `${what} is missing` })
    .max(max, `${what} is too long`)
    .regex(/^0x[0-9a-fA-F]*$/, `${what} is not hex (0x...)`)
    .transform((value) => value as Hex);
const addressSchema = z
  .string({ error: "address is missing" })
  .refine((value) => isAddress(value, { strict: false }), "address is not an address (0x and 40 hex digits)")
  .transform((value) => getAddress(value));
const chainIdSchema = z.number({ error: "chainId is missing (the chain your wallet is on)" }).int().positive();

const signatureBody = z.object({
  signature: hex("signature", 1000),
  address: addressSchema.optional(),
  chainId: chainIdSchema,
  /** What the wallet was asked to sign; the core compares it field by field with the proposal. */
  typedData: z
    .object({
      domain: z.object({ chainId: z.union([z.number(), z.string()]).optional(), verifyingContract: z.string().optional() }).optional(),
      message: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
});
const executedBody = z.object({
  txHash: hex("txHash", 66).refine((value) => value.length === 66, "txHash is not a transaction hash (0x and 64 hex digits)"),
});
/** A rejection is proposed only with proof: an owner's signature of the rejection's own SafeTx (its first approval). */
const rejectBody = z.object({
  signature: z
    .string({ error: "signature is missing: proposing a rejection takes an owner's signature of it, made in the owner's wallet" })
    .max(1000, "signature is too long")
    .regex(/^0x[0-9a-fA-F]*$/, "signature is not hex (0x...)"),
  address: addressSchema.optional(),
  chainId: chainIdSchema,
});
const linkMessageBody = z.object({ address: addressSchema });
const delegateBody = z.object({ signature: hex("signature", 200), address: addressSchema, chainId: chainIdSchema });
const completeLinkBody = z.object({
  message: z.string({ error: "message is missing" }).min(1).max(4000, "message is too long"),
  signature: hex("signature", 1000),
});

function parseBody<T>(schema: z.ZodType<T>, request: Request): T {
  if (!request.is("application/json")) throw new InvalidInputError("Send the request body as application/json.");
  const result = schema.safeParse(request.body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidInputError(issue.message.includes(" ") ? issue.message : `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return result.data;
}

/** JSON with bigints as decimal strings (amounts, SafeTx fields). */
function sendJson(response: Response, status: number, value: unknown) {
  response
    .status(status)
    .type("application/json")
    .send(JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item)));
}

function statusOf(error: unknown): number {
  if (error instanceof PageNotFoundError || error instanceof ProposalNotFoundError) return 404;
  if (error instanceof LinkUnavailableError) return 410;
  if (error instanceof WrongNetworkError) return 409;
  if (error instanceof SignatureRefusedError || error instanceof DelegateSignatureRefusedError) return 422;
  if (error instanceof ProposalStateError || error instanceof ThresholdNotMetError || error instanceof RelayerNotConfiguredError) return 409;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number" && status >= 400 && status < 500) return status;
  if (error instanceof TreasuryError) return 400;
  return 500;
}

type AsyncHandler = (request: Request, response: Response) => Promise<void> | void;
const handle =
  (handler: AsyncHandler) =>
  (request: Request, response: Response, next: NextFunction): void => {
    Promise.resolve()
      .then(() => handler(request, response))
      .catch(next);
  };


/**
 * The wallet pages and their JSON API:
 * - `GET /review/:token`, `GET /link/:token` (server-rendered; everything people typed is escaped);
 * - `/api/review/:token[...]` and `/api/link/:token[...]`, bodies checked with zod, errors as
 *   `{ error: shortMessage }` with a 4xx status;
 * - `/assets/wallet.js` (bundled at build time) and `/assets/pages.css`.
 * The server never sees a key: it hands out typed data and messages, and takes back signatures.
 */
export function createWalletPagesRouter({ ctx, contexts = [ctx], txService }: CreateWalletPagesRouterParameters): Router {
  const router = express.Router();
  const chainNameOf = (safe: TreasuryContext) => safe.chainFacts?.name ?? safe.client.chain?.name ?? `Chain ${safe.chainId}`;
  const chainName = chainNameOf(ctx);
  /** The context of a registered Safe, when the service runs it. */
  const contextOfSafe = (safeId: number | undefined): TreasuryContext | undefined =>
    safeId === undefined ? undefined : contexts.find((safe) => boundSafeId(safe.db) === safeId);
  /** The context of the Safe a review token's proposal belongs to (found from the proposal), when the service runs it. */
  const contextOfToken = (token: string): TreasuryContext | undefined => contextOfSafe(findSafeOfProposal(ctx.db, { reviewToken: token }));
  // Read the built script now, so a missing build is logged at start rather than at the first page load.
  walletBundle().catch((error) => ctx.logger.error({ err: shortMessageOf(error) }, "the wallet script does not build"));

  const pageHeaders = (response: Response) => {
    response.set({
      "Content-Security-Policy": contentSecurityPolicy,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
    });
  };

  /**
   * The proposal of a review token, with warnings and simulation recomputed now (or skipped, for API calls
   * that act), and the context of its Safe: everything a review route does acts on that Safe.
   */
  async function reviewFor(token: string, options: { warnings?: boolean } = {}): Promise<{ proposal: ProposalView; ctx: TreasuryContext }> {
    const safe = token.length === 0 || token.length > 200 ? undefined : contextOfToken(token);
    if (!safe) throw new PageNotFoundError("No proposal has this review link. Check that you copied the whole link.");
    try {
      return { proposal: await getProposalByReviewToken(safe, token, options), ctx: safe };
    } catch (error) {
      if (error instanceof ProposalNotFoundError)
        throw new PageNotFoundError("No proposal has this review link. Check that you copied the whole link.");
      throw error;
    }
  }

  /** A link token's request and the context of the Safe it was made for: the link page speaks for that Safe, and links in its workspace. */
  function linkRequestFor(token: string): { request: StoredLinkRequest; ctx: TreasuryContext } {
    const request = token.length <= 200 ? findLinkRequest(ctx.db, token) : undefined;
    const safe = contextOfSafe(request?.safeId);
    if (!request || !safe) throw new PageNotFoundError("This wallet link does not exist. Ask for a new one with /treasury link.");
    if (request.usedAt !== null) throw new LinkUnavailableError("This wallet link was already used. Ask for a new one with /treasury link.");
    if (request.expiresAt <= safe.now()) throw new LinkUnavailableError("This wallet link has expired. Ask for a new one with /treasury link.");
    return { request, ctx: safe };
  }

  router.get("/assets/wallet.js", handle(async (_request, response) => {
    const bundle = await walletBundle();
    response.set({ "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff" });
    response.type("application/javascript").send(bundle.code);
  }));

  router.get("/assets/pages.css", (_request, response) => {
    response.set({ "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff" });
    response.type("text/css").send(pagesCss);
  });

  // ---- pages -------------------------------------------------------------

  router.get("/review/:token", handle(async (request, response) => {
    pageHeaders(response);
    const { proposal, ctx } = await reviewFor(String(request.params.token));
    const ownerNames: Record<string, string | null> = {};
    for (const owner of proposal.owners) ownerNames[owner.toLowerCase()] = memberNameForAddress(ctx.db, owner);
    let rejectedProposalUrl: string | undefined;
    if (proposal.rejectsSafeTxHash) {
      const rejected = await getProposal(ctx, proposal.rejectsSafeTxHash, { warnings: false }).catch(() => undefined);
      if (rejected) rejectedProposalUrl = `/review/${encodeURIComponent(rejected.reviewToken)}`;
    }
    const { version } = await walletBundle();
    response.type("html").send(
      renderReviewPage({
        proposal,
        chainId: ctx.chainId,
        chainName: chainNameOf(ctx),
        safeAddress: ctx.safeAddress,
        relayer: Boolean(ctx.config.RELAYER_PRIVATE_KEY),
        explorerUrl: ctx.config.EXPLORER_URL ?? ctx.chainFacts?.explorer?.url,
        rejectedProposalUrl,
        ownerNames,
        scriptVersion: version,
      }),
    );
  }));

  router.get("/delegate", handle(async (_request, response) => {
    pageHeaders(response);
    if (!txService) throw new PageNotFoundError("The Safe app sync is off here: set SAFE_TX_SERVICE_URL and SAFE_TX_SERVICE_DELEGATE_KEY to use this page.");
    const alreadyDelegate = await txService.client.isDelegate(ctx.safeAddress, txService.delegate).catch(() => false);
    const { version } = await walletBundle();
    response.type("html").send(
      renderDelegatePage({ delegate: txService.delegate, safeAddress: ctx.safeAddress, chainId: ctx.chainId, chainName, alreadyDelegate, scriptVersion: version }),
    );
  }));

  router.get("/link/:token", handle(async (request, response) => {
    pageHeaders(response);
    const { request: row, ctx } = linkRequestFor(String(request.params.token));
    const { version } = await walletBundle();
    response.type("html").send(
      renderLinkPage({
        token: row.token,
        memberName: row.memberName ?? row.memberId,
        expiresAt: row.expiresAt,
        chainId: ctx.chainId,
        scriptVersion: version,
      }),
    );
  }));

  // ---- JSON API ----------------------------------------------------------

  // Only this router's own routes parse JSON: other adapters mounted after it may need the raw body.
  const api = express.Router();
  const json = express.json({ limit: "32kb" });

  api.get("/delegate/typed-data", handle(async (_request, response) => {
    if (!txService) throw new PageNotFoundError("The Safe app sync is off here.");
    sendJson(response, 200, delegateTypedData(ctx, txService.delegate));
  }));

  api.post("/delegate", json, handle(async (request, response) => {
    if (!txService) throw new PageNotFoundError("The Safe app sync is off here.");
    const body = parseBody(delegateBody, request);
    if (body.chainId !== ctx.chainId)
      throw new WrongNetworkError(`Your wallet is on chain ${body.chainId}; switch to chain ${ctx.chainId} (${chainName}). Nothing was stored.`);
    sendJson(response, 200, await addBotDelegate(ctx, txService.client, { delegate: txService.delegate, owner: body.address, signature: body.signature }));
  }));

  api.get("/review/:token", handle(async (request, response) => {
    // The page's refresh after signing: approvals matter here, the slow checks do not.
    sendJson(response, 200, (await reviewFor(String(request.params.token), { warnings: false })).proposal);
  }));

  api.get("/review/:token/typed-data", handle(async (request, response) => {
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    sendJson(response, 200, safeTxTypedData(ctx, proposal));
  }));

  api.post("/review/:token/signatures", json, handle(async (request, response) => {
    const body = parseBody(signatureBody, request);
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    if (body.chainId !== ctx.chainId)
      throw new WrongNetworkError(`Your wallet is on chain ${body.chainId}; switch to chain ${ctx.chainId} (${chainNameOf(ctx)}). Nothing was stored.`);
    const result = await submitSignature(ctx, {
      safeTxHash: proposal.safeTxHash,
      signature: body.signature,
      source: "wallet",
      signer: body.address,
      typedData: body.typedData,
    });
    ctx.logger.info({ safeTxHash: proposal.safeTxHash, owner: result.owner, approvals: result.approvals.length }, "approval signed on the review page");
    sendJson(response, 200, result);
  }));

  api.get("/review/:token/execution-call", handle(async (request, response) => {
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    sendJson(response, 200, await buildExecutionCall(ctx, proposal.safeTxHash));
  }));

  api.post("/review/:token/execute", json, handle(async (request, response) => {
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    const result = await executeProposal(ctx, { safeTxHash: proposal.safeTxHash });
    sendJson(response, 200, result);
  }));

  // The owner's wallet sent the execution; the chain is asked once (no waiting): the page asks again while it is pending.
  api.post("/review/:token/executed", json, handle(async (request, response) => {
    const { txHash } = parseBody(executedBody, request);
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    const outcome = await checkExecution(ctx, { safeTxHash: proposal.safeTxHash, txHash });
    if (outcome.status === "not_found")
      return sendJson(response, 404, {
        status: outcome.status,
        txHash,
        error: `The chain does not know transaction ${txHash} (yet). If your wallet sent it, wait a moment and try again.`,
      });
    if (outcome.status === "pending")
      return sendJson(response, 202, { status: outcome.status, txHash, message: `Transaction ${txHash} is sent but not mined yet.` });
    const success = outcome.status === "executed";
    sendJson(response, 200, {
      status: outcome.status,
      success,
      txHash,
      message: success
        ? `Executed in transaction ${txHash}.`
        : `The Safe ran transaction ${txHash}, but the payment itself failed (ExecutionFailure); the nonce is used up.`,
    });
  }));

  api.get("/review/:token/rejection/typed-data", handle(async (request, response) => {
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    sendJson(response, 200, rejectionTypedData(ctx, proposal.safeTxHash));
  }));

  api.post("/review/:token/reject", json, handle(async (request, response) => {
    const body = parseBody(rejectBody, request);
    const { proposal, ctx } = await reviewFor(String(request.params.token), { warnings: false });
    if (body.chainId !== ctx.chainId)
      throw new WrongNetworkError(`Your wallet is on chain ${body.chainId}; switch to chain ${ctx.chainId} (${chainNameOf(ctx)}). Nothing was stored.`);
    const result = await proposeSignedRejection(ctx, { safeTxHash: proposal.safeTxHash, signature: body.signature, signer: body.address });
    if (result.action === "cancel")
      return sendJson(response, 200, {
        action: "cancel",
        status: result.proposal.status,
        message: "Nobody had signed this proposal, so it was cancelled off-chain: no on-chain rejection, no gas, and the nonce is free again.",
      });
    const rejection = result.rejection;
    sendJson(response, 200, {
      action: "reject_onchain",
      safeTxHash: rejection.safeTxHash,
      reviewUrl: reviewUrl(ctx, rejection),
      proposer: rejection.proposer,
      approvals: rejection.approvals.length,
      threshold: rejection.threshold,
    });
  }));

  api.post("/link/:token/message", json, handle(async (request, response) => {
    const { address } = parseBody(linkMessageBody, request);
    const token = String(request.params.token);
    const { ctx } = linkRequestFor(token);
    sendJson(response, 200, { message: await linkMessage(ctx, { token, address }) });
  }));

  api.post("/link/:token", json, handle(async (request, response) => {
    const body = parseBody(completeLinkBody, request);
    const token = String(request.params.token);
    const { ctx } = linkRequestFor(token);
    const result = await completeLink(ctx, { token, message: body.message, signature: body.signature });
    sendJson(response, 200, result);
  }));

  api.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const bodyError = (error as { type?: string } | null)?.type;
    if (bodyError === "entity.parse.failed") return sendJson(response, 400, { error: "The request body is not valid JSON." });
    if (bodyError === "entity.too.large") return sendJson(response, 413, { error: "The request body is too large." });
    const status = statusOf(error);
    if (status >= 500) ctx.logger.error({ err: shortMessageOf(error) }, "wallet API request failed");
    const reason = error instanceof SignatureRefusedError ? error.reason : undefined;
    sendJson(response, status, { error: status >= 500 && !(error instanceof TreasuryError) ? "Internal error" : shortMessageOf(error), reason });
  });
  router.use("/api", api);

  // Page errors render as a page, not JSON.
  router.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (!/^\/(review|link)\//.test(request.path)) return next(error);
    const status = statusOf(error);
    if (status >= 500) ctx.logger.error({ err: shortMessageOf(error) }, "wallet page failed");
    const title = status === 404 ? "Link not found" : status === 410 ? "Link no longer valid" : "Something went wrong";
    pageHeaders(response);
    response
      .status(status)
      .type("html")
      .send(renderMessagePage(title, status >= 500 && !(error instanceof TreasuryError) ? "Internal error; try again later." : shortMessageOf(error)));
  });

  return router;
}
