import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, keccak256, toHex, type Address, type Hex } from "viem";
import { closeDatabase, isDatabaseOpen } from "../../db/open.ts";
import { openSafeDatabase } from "../helpers/safe-database.ts";
import { writeMeta } from "../../db/meta.ts";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import { connectionOf } from "../../db/connection.ts";

/** The fixture the answer tests are written against (the repo's copy of ../shared/fixtures). */
export const fixturePath = fileURLToPath(new URL("../../demo/fixtures/lighthouse-2026.json", import.meta.url));
export const questionsPath = fileURLToPath(new URL("../assistant/fixtures/questions.sample.json", import.meta.url));

type FixtureJson = {
  now: string;
  chainId: number;
  safe: { owners: string[]; threshold: number };
  slack: { teamId: string; channelId: string };
  members: { id: string; name: string; slackId: string; account: number; role: "owner" | "member" }[];
  tokens: { symbol: string; name: string; decimals: number }[];
  addressBook: { id: string; label: string; account?: number; address?: string; category?: string; kind?: string }[];
  timeline: Array<Record<string, any>>;
};

export type FixtureDb = {
  db: TreasuryDatabase;
  path: string;
  dir: string;
  safe: Address;
  /** safeTxHash of a fixture proposal id ("p042"). */
  hashOf: (id: string) => Hex;
  txOf: (id: string) => Hex;
  addressOf: (id: string) => Address;
  close: () => void;
};

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const fakeHash = (text: string) => keccak256(toHex(text));
const fakeAddress = (text: string) => getAddress(fakeHash(text).slice(0, 42));

function units(amount: string, decimals: number): string {
  const [whole, fraction = ""] = amount.split(".");
  return (BigInt(whole) * 10n ** BigInt(decimals) + BigInt((fraction.padEnd(decimals, "0") || "0").slice(0, decimals))).toString();
}

/**
 * Writes the fixture straight into a fresh database with the shapes the
 * indexer and the workflow write (chain mirror + proposals, signatures,
 * members, wallet links, address book, discussion), without a chain. Used
 * for fast unit tests of search and answers; the answer tests over the real
 * replay use `replayFixture` instead.
 */
export function buildFixtureDb(): FixtureDb {
  const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as FixtureJson;
  const dir = mkdtempSync(join(tmpdir(), "assistant-fixture-"));
  const path = join(dir, "treasury.db");
  const safe = fakeAddress("safe");
  const db = openSafeDatabase(path, { chainId: fixture.chainId, address: safe });
  const account = (i: number) => developmentAccount(i).address;
  const memberAddress = new Map(fixture.members.map((m) => [m.id, account(m.account)]));
  const bookAddress = new Map(fixture.addressBook.map((e) => [e.id, e.address ? getAddress(e.address) : account(e.account!)]));
  const addressOf = (id: string) => (bookAddress.get(id) ?? memberAddress.get(id))! as Address;
  const tokens = new Map(fixture.tokens.map((t) => [t.symbol, { ...t, address: fakeAddress(`token:${t.symbol}`) }]));
  const tokenOf = (symbol: string) => (symbol === "ETH" ? { address: null, decimals: 18 } : tokens.get(symbol)!);
  const hashOf = (id: string) => fakeHash(`safeTx:${id}`);
  const txOf = (id: string) => fakeHash(`tx:${id}`);

  let block = 100;
  const addBlock = (time: number) => {
    block++;
    connectionOf(db).prepare("INSERT INTO blocks (safe_id, number, hash, parent_hash, timestamp) VALUES (1, ?, ?, ?, ?)").run(
      block,
      fakeHash(`block:${block}`),
      fakeHash(`block:${block - 1}`),
      time,
    );
    return block;
  };

  connectionOf(db).transaction(() => {
    writeMeta(db, "chain_id", String(fixture.chainId));
    writeMeta(db, "safe_address", safe);
    for (const t of tokens.values())
      connectionOf(db).prepare("INSERT INTO tokens (safe_id, address, symbol, name, decimals) VALUES (1, ?, ?, ?, ?)").run(t.address, t.symbol, t.name, t.decimals);
    for (const m of fixture.members) {
      connectionOf(db).prepare("INSERT INTO members (workspace, id, name, slack_user_id, role, created_at) VALUES ('', ?, ?, ?, ?, ?)").run(
        m.id,
        m.name,
        m.slackId,
        m.role,
        seconds("2026-01-01T00:00:00Z"),
      );
      connectionOf(db).prepare("INSERT INTO wallet_links (workspace, member_id, address, linked_at) VALUES ('', ?, ?, ?)").run(m.id, memberAddress.get(m.id), 0);
    }
    for (const e of fixture.addressBook)
      connectionOf(db).prepare("INSERT INTO address_book (workspace, address, label, category, kind, added_by, created_at) VALUES ('', ?, ?, ?, ?, ?, ?)").run(
        addressOf(e.id),
        e.label,
        e.category ?? null,
        e.kind ?? null,
        "ana",
        0,
      );

    const genesis = seconds(fixture.timeline[0].at) - 86400;
    const setupBlock = addBlock(genesis);
    connectionOf(db).prepare(
      "INSERT INTO owner_changes (safe_id, kind, owner, threshold, owners, block_number, block_time, tx_hash, log_index) VALUES (1, 'setup', NULL, ?, ?, ?, ?, ?, 0)",
    ).run(fixture.safe.threshold, JSON.stringify(fixture.safe.owners.map((o) => memberAddress.get(o))), setupBlock, genesis, fakeHash("setup"));

    let nonce = 0;
    for (const entry of fixture.timeline) {
      const at = seconds(entry.at);
      if (entry.type === "deposit") {
        const token = tokenOf(entry.token);
        const b = addBlock(at);
        const tx = fakeHash(`deposit:${entry.at}`);
        connectionOf(db).prepare(
          "INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (1, 'in', ?, ?, ?, ?, ?, ?, ?, 0, 1)",
        ).run(token.address, addressOf(entry.from), safe, units(entry.amount, token.decimals), b, at, tx);
        connectionOf(db).prepare(
          "INSERT INTO deposit_notes (safe_id, tx_hash, token, amount, from_address, memo, added_by, created_at) VALUES (1, ?, ?, ?, ?, ?, 'seed', ?)",
        ).run(tx, token.address, units(entry.amount, token.decimals), addressOf(entry.from), entry.memo, at);
        continue;
      }
      const id = entry.id as string;
      const hash = hashOf(id);
      const transfers = (entry.transfers ?? []) as { to: string; token: string; amount: string }[];
      const first = transfers[0];
      const firstToken = first ? tokenOf(first.token) : undefined;
      const to = entry.kind === "batch" ? fakeAddress("multisend") : first ? (firstToken!.address ?? addressOf(first.to)) : safe;
      const status = entry.outcome as string;
      const myNonce = nonce++;
      const purpose = entry.kind === "add_owner" ? "owner_change" : "payment";
      connectionOf(db).prepare(
        `INSERT INTO proposals (safe_id, safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, kind, proposer, memo, category, status, review_token, executed_tx_hash, created_at, updated_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, '0x', 0, 'payment', ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        hash,
        fixture.chainId,
        safe,
        myNonce,
        to,
        first && first.token === "ETH" ? units(first.amount, 18) : "0",
        entry.proposer,
        entry.memo ?? "",
        entry.category ?? null,
        status,
        `review-${id}`,
        status === "executed" ? txOf(id) : null,
        at,
        at,
      );
      connectionOf(db).prepare("UPDATE proposals SET purpose = ? WHERE safe_tx_hash = ?").run(purpose, hash);
      transfers.forEach((t, index) => {
        const token = tokenOf(t.token);
        connectionOf(db).prepare("INSERT INTO proposal_transfers (safe_tx_hash, batch_index, token, to_address, amount) VALUES (?, ?, ?, ?, ?)").run(
          hash,
          index,
          token.address,
          addressOf(t.to),
          units(t.amount, token.decimals),
        );
      });
      connectionOf(db).prepare("INSERT INTO proposal_messages (safe_tx_hash, channel_id, message_ts, permalink) VALUES (?, ?, ?, ?)").run(
        hash,
        fixture.slack.channelId,
        `${at}.000100`,
        `https://lighthouse.slack.com/archives/${fixture.slack.channelId}/p${at}000100`,
      );
      for (const [index, said] of ((entry.discussion ?? []) as { at: string; by: string; text: string }[]).entries()) {
        const ts = `${seconds(said.at)}.00${index}200`;
        const member = fixture.members.find((m) => m.id === said.by)!;
        connectionOf(db).prepare(
          `INSERT INTO discussion_messages (safe_tx_hash, channel_id, message_ts, thread_ts, author_id, author_name, text, permalink, posted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          hash,
          fixture.slack.channelId,
          ts,
          `${at}.000100`,
          member.slackId,
          member.name,
          said.text,
          `https://lighthouse.slack.com/archives/${fixture.slack.channelId}/p${ts.replace(".", "")}?thread_ts=${at}.000100`,
          seconds(said.at),
        );
      }
      for (const approval of (entry.approvals ?? []) as { by: string; at: string }[])
        connectionOf(db).prepare("INSERT INTO signatures (safe_tx_hash, owner, signature, source, created_at) VALUES (?, ?, ?, 'wallet', ?)").run(
          hash,
          memberAddress.get(approval.by),
          "0x" + "11".repeat(65),
          seconds(approval.at),
        );

      const execute = (safeTxHash: Hex, tx: Hex, time: number, signers: string[], execNonce: number, target: string, value: string) => {
        const b = addBlock(time);
        connectionOf(db).prepare(
          `INSERT INTO safe_executions (safe_id, safe_tx_hash, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token, refund_receiver, signatures, success, executor, block_number, block_time, tx_hash, log_index, confirmed)
           VALUES (1, ?, ?, ?, ?, '0x', 0, '0', '0', '0', ?, ?, '0x', 1, NULL, ?, ?, ?, 9, 1)`,
        ).run(safeTxHash, execNonce, target, value, "0x0000000000000000000000000000000000000000", "0x0000000000000000000000000000000000000000", b, time, tx);
        for (const signer of signers)
          connectionOf(db).prepare("INSERT INTO execution_signers (safe_id, safe_tx_hash, owner, kind, block_number) VALUES (1, ?, ?, 'eoa', ?)").run(
            safeTxHash,
            memberAddress.get(signer),
            b,
          );
        return b;
      };

      if (status === "executed") {
        const time = seconds(entry.executedAt);
        const b = execute(hash, txOf(id), time, (entry.approvals as { by: string }[]).map((a) => a.by), myNonce, to, "0");
        transfers.forEach((t, index) => {
          const token = tokenOf(t.token);
          connectionOf(db).prepare(
            "INSERT INTO payments (safe_id, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
          ).run(hash, index, token.address, addressOf(t.to), units(t.amount, token.decimals), b, time, txOf(id), index);
          if (token.address)
            connectionOf(db).prepare(
              "INSERT INTO transfers (safe_id, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed) VALUES (1, 'out', ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            ).run(token.address, safe, addressOf(t.to), units(t.amount, token.decimals), b, time, txOf(id), index);
        });
        if (entry.kind === "add_owner") {
          connectionOf(db).prepare(
            "INSERT INTO owner_changes (safe_id, kind, owner, threshold, owners, block_number, block_time, tx_hash, log_index) VALUES (1, 'added', ?, NULL, NULL, ?, ?, ?, 1)",
          ).run(memberAddress.get(entry.owner), b, time, txOf(id));
        }
      }
      if (status === "rejected") {
        const rejection = hashOf(`${id}-rejection`);
        const time = seconds(entry.rejectedAt);
        const signers = entry.rejectionSigners as string[];
        connectionOf(db).prepare(
          `INSERT INTO proposals (safe_id, safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, kind, rejects_safe_tx_hash, proposer, memo, status, review_token, executed_tx_hash, created_at, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, '0', '0x', 0, 'rejection', ?, ?, '', 'executed', ?, ?, ?, ?)`,
        ).run(rejection, fixture.chainId, safe, myNonce, safe, hash, signers[0], `review-${id}-r`, txOf(`${id}-rejection`), time - 300, time);
        for (const signer of signers)
          connectionOf(db).prepare("INSERT INTO signatures (safe_tx_hash, owner, signature, source, created_at) VALUES (?, ?, ?, 'wallet', ?)").run(
            rejection,
            memberAddress.get(signer),
            "0x" + "22".repeat(65),
            time - 100,
          );
        execute(rejection, txOf(`${id}-rejection`), time, signers, myNonce, safe, "0");
      }
    }
    connectionOf(db).prepare("INSERT INTO checkpoint (safe_id, block_number, block_hash) VALUES (1, ?, ?)").run(block, fakeHash(`block:${block}`));
  })();

  return {
    db,
    path,
    dir,
    safe,
    hashOf,
    txOf,
    addressOf,
    close: () => {
      if (isDatabaseOpen(db)) closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
