import { readFileSync } from "node:fs";
import { getAddress, isAddress, type Address } from "viem";
import { z } from "zod";
import { TreasuryError } from "../core/errors.ts";
import { parseAmount } from "../core/money.ts";
import { projectFile } from "../core/project-files.ts";

/** A fixture file cannot be used: it is missing, not JSON, or does not describe a consistent treasury. */
export class FixtureError extends TreasuryError {
  override name = "FixtureError";
}

/** The replay stopped: a step of the fixture could not be carried out on the chain or by the core. */
export class ReplayError extends FixtureError {
  override name = "ReplayError";
}

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().trim().min(1);
const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "is not an address")
  .transform((value) => getAddress(value));
const amount = z.string().regex(/^\d+(\.\d+)?$/, "is not a plain decimal amount like 250 or 1.5");

const transfer = z.object({
  /** An address-book id (or a member id) of the payee. */
  to: id,
  token: id,
  amount,
});

const message = z.object({ at: isoTime, by: id, text: z.string().min(1) });
const approval = z.object({ by: id, at: isoTime });

const proposalBase = {
  at: isoTime,
  type: z.literal("proposal"),
  id,
  proposer: id,
  memo: z.string().default(""),
  category: z.string().optional(),
  discussion: z.array(message).default([]),
  approvals: z.array(approval).default([]),
  outcome: z.enum(["executed", "rejected", "cancelled", "pending"]),
  executedAt: isoTime.optional(),
  executor: id.optional(),
  rejectedAt: isoTime.optional(),
  rejectionSigners: z.array(id).optional(),
  /** Optional; when left out a cancellation happens a minute after the last message. */
  cancelledAt: isoTime.optional(),
};

const paymentProposal = z.object({
  ...proposalBase,
  kind: z.enum(["transfer", "batch"]),
  transfers: z.array(transfer).min(1),
});

const addOwnerProposal = z.object({
  ...proposalBase,
  kind: z.literal("add_owner"),
  /** A member id. */
  owner: id,
  threshold: z.number().int().positive(),
});

const removeOwnerProposal = z.object({
  ...proposalBase,
  kind: z.literal("remove_owner"),
  owner: id,
  threshold: z.number().int().positive(),
});

const changeThresholdProposal = z.object({
  ...proposalBase,
  kind: z.literal("change_threshold"),
  threshold: z.number().int().positive(),
});

const proposal = z.discriminatedUnion("kind", [paymentProposal, addOwnerProposal, removeOwnerProposal, changeThresholdProposal]);

const deposit = z.object({
  at: isoTime,
  type: z.literal("deposit"),
  /** An address-book id (with an `account`) or a member id: who sends the money. */
  from: id,
  token: id,
  amount,
  memo: z.string().default(""),
});

const timelineEntry = z.union([deposit, proposal]);

/** The fixture format of `demo/fixtures/lighthouse-2026.json`, version 1. */
export const fixtureSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  about: z.string().optional(),
  chainId: z.number().int().positive().default(31337),
  /** The fixture's "today": after the last event. */
  now: isoTime.optional(),
  accounts: z
    .object({ mnemonic: z.string().optional(), relayer: z.number().int().nonnegative().default(0) })
    .default({ relayer: 0 }),
  safe: z.object({
    owners: z.array(id).min(1),
    threshold: z.number().int().positive(),
    name: z.string().optional(),
  }),
  slack: z
    .object({ teamId: z.string().optional(), channelId: z.string().min(1), channelName: z.string().optional() })
    .default({ channelId: "C0TREASURY" }),
  members: z.array(
    z.object({
      id,
      name: z.string().min(1),
      slackId: z.string().optional(),
      account: z.number().int().nonnegative(),
      role: z.enum(["owner", "member"]).default("member"),
    }),
  ),
  tokens: z.array(z.object({ symbol: id, name: z.string(), decimals: z.number().int().min(0).max(36) })),
  addressBook: z.array(
    z
      .object({
        id,
        label: z.string().min(1),
        account: z.number().int().nonnegative().optional(),
        address: address.optional(),
        kind: z.string().optional(),
        category: z.string().optional(),
        note: z.string().optional(),
      })
      .refine((entry) => (entry.account === undefined) !== (entry.address === undefined), {
        message: "needs exactly one of account or address",
      }),
  ),
  timeline: z.array(timelineEntry).min(1),
});

export type Fixture = z.infer<typeof fixtureSchema>;
export type FixtureMember = Fixture["members"][number];
export type FixtureAddressBookEntry = Fixture["addressBook"][number];
export type FixtureTimelineEntry = Fixture["timeline"][number];
export type FixtureDeposit = z.infer<typeof deposit>;
export type FixtureProposal = z.infer<typeof proposal>;
export type FixturePaymentProposal = z.infer<typeof paymentProposal>;

/** The demo scenario bundled with the project (`npm run seed` and the first `npm start` replay it). */
export const bundledFixture = projectFile("demo", "fixtures", "lighthouse-2026.json");

/** Unix seconds of an ISO time from the fixture. */
export function fixtureTime(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/**
 * Reads and checks a fixture file. Throws a `FixtureError` naming the first
 * problem: a bad field, an unknown member, payee or token, an owner who signs
 * before being one is left to the replay, which checks against the chain.
 */
export function loadFixture(path: string): Fixture {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new FixtureError(`Cannot read the fixture ${path}.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FixtureError(`The fixture ${path} is not valid JSON.`, { cause, details: String(cause) });
  }
  return parseFixture(json, path);
}

/** Checks a fixture already parsed from JSON (see `loadFixture`). */
export function parseFixture(json: unknown, source = "the fixture"): Fixture {
  const result = fixtureSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FixtureError(`${source}: ${issue.path.join(".") || "(top)"} ${issue.message}.`);
  }
  const fixture = result.data;
  const problems = checkReferences(fixture);
  if (problems.length) throw new FixtureError(`${source}: ${problems[0]}`, { details: problems.join("\n") });
  return fixture;
}

function checkReferences(fixture: Fixture): string[] {
  const problems: string[] = [];
  const members = new Map(fixture.members.map((member) => [member.id, member]));
  const book = new Map(fixture.addressBook.map((entry) => [entry.id, entry]));
  const tokens = new Set(["ETH", ...fixture.tokens.map((token) => token.symbol)]);
  const decimalsOf = (symbol: string) =>
    symbol === "ETH" ? 18 : (fixture.tokens.find((token) => token.symbol === symbol)?.decimals ?? 18);
  const checkAmount = (where: string, value: string, token: string) => {
    try {
      parseAmount(value, decimalsOf(token), token);
    } catch (error) {
      problems.push(`${where}: amount ${value} ${token} is not usable (${(error as Error).message.split("\n")[0]}).`);
    }
  };
  const member = (where: string, memberId: string) => {
    if (!members.has(memberId)) problems.push(`${where}: unknown member "${memberId}".`);
  };

  for (const owner of fixture.safe.owners) member("safe.owners", owner);
  if (fixture.safe.threshold > fixture.safe.owners.length)
    problems.push(`safe.threshold ${fixture.safe.threshold} is above the number of owners (${fixture.safe.owners.length}).`);
  const seen = new Set<string>();
  for (const entry of fixture.addressBook) {
    if (seen.has(entry.id)) problems.push(`addressBook: the id "${entry.id}" appears twice.`);
    seen.add(entry.id);
  }

  let previous = -Infinity;
  const proposalIds = new Set<string>();
  for (const [index, entry] of fixture.timeline.entries()) {
    const where = entry.type === "proposal" ? `timeline[${index}] (${entry.id})` : `timeline[${index}]`;
    const at = fixtureTime(entry.at);
    if (at < previous) problems.push(`${where}: its time ${entry.at} is before the entry above it; keep the timeline in order.`);
    previous = at;
    if (entry.type === "deposit") {
      const from = book.get(entry.from);
      if (!from && !members.has(entry.from)) problems.push(`${where}: unknown sender "${entry.from}".`);
      else if (from && from.account === undefined)
        problems.push(`${where}: the sender "${entry.from}" has no development account to send from.`);
      if (!tokens.has(entry.token)) problems.push(`${where}: unknown token "${entry.token}".`);
      else checkAmount(where, entry.amount, entry.token);
      continue;
    }
    if (proposalIds.has(entry.id)) problems.push(`${where}: the proposal id "${entry.id}" appears twice.`);
    proposalIds.add(entry.id);
    member(where, entry.proposer);
    for (const said of entry.discussion) {
      member(`${where} discussion`, said.by);
      if (fixtureTime(said.at) < at) problems.push(`${where}: a message at ${said.at} comes before the proposal.`);
    }
    for (const approved of entry.approvals) {
      member(`${where} approvals`, approved.by);
      if (fixtureTime(approved.at) < at) problems.push(`${where}: an approval at ${approved.at} comes before the proposal.`);
    }
    if (entry.kind === "transfer" || entry.kind === "batch") {
      for (const payment of entry.transfers) {
        if (!book.has(payment.to) && !members.has(payment.to)) problems.push(`${where}: unknown payee "${payment.to}".`);
        if (!tokens.has(payment.token)) problems.push(`${where}: unknown token "${payment.token}".`);
        else checkAmount(where, payment.amount, payment.token);
      }
    } else if (entry.kind === "add_owner" || entry.kind === "remove_owner") member(where, entry.owner);

    if (entry.outcome === "executed") {
      if (!entry.executedAt || !entry.executor) problems.push(`${where}: an executed proposal needs executedAt and executor.`);
      else {
        member(where, entry.executor);
        const executedAt = fixtureTime(entry.executedAt);
        if (entry.approvals.some((approved) => fixtureTime(approved.at) > executedAt))
          problems.push(`${where}: an approval comes after the execution.`);
        if (executedAt < at) problems.push(`${where}: executed before it was proposed.`);
      }
    }
    if (entry.outcome === "rejected") {
      if (!entry.rejectedAt || !entry.rejectionSigners?.length)
        problems.push(`${where}: a rejected proposal needs rejectedAt and rejectionSigners.`);
      else {
        for (const signer of entry.rejectionSigners) member(`${where} rejectionSigners`, signer);
        if (fixtureTime(entry.rejectedAt) < at) problems.push(`${where}: rejected before it was proposed.`);
      }
    }
    if (entry.outcome === "cancelled" && entry.approvals.length)
      problems.push(`${where}: only a proposal nobody approved can be cancelled; reject it instead.`);
  }
  return problems;
}

/** The address of an address-book entry or member, by id. */
export function resolveFixtureAddress(
  fixture: Fixture,
  entryId: string,
  accountAddress: (index: number) => Address,
): Address | undefined {
  const entry = fixture.addressBook.find((candidate) => candidate.id === entryId);
  if (entry) return entry.address ?? accountAddress(entry.account!);
  const member = fixture.members.find((candidate) => candidate.id === entryId);
  return member ? accountAddress(member.account) : undefined;
}
