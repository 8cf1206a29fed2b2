import type { Migration } from "./migration.ts";

/**
 * The workspaces existing people and payees are copied into: every workspace with a Safe, and the home
 * workspace (`''`). The database cannot tell whose a row was, so no workspace loses what it saw before.
 */
export const workspacesOfExistingRows = "SELECT workspace FROM safes UNION SELECT ''";

/**
 * People and payees belong to one Slack workspace, no longer to the whole
 * deployment: `members`, `wallet_links` and `address_book` gain `workspace`
 * (no default: a row is never written without its workspace), and their keys
 * include it, so two workspaces may both have a member "ana" or a payee
 * "Acme" and never see each other's. `link_requests` gains the Safe the link
 * was asked for (`safe_id`): the link page speaks for that Safe, and the
 * wallet is linked in its workspace.
 *
 * Existing rows are copied into every workspace that has a Safe (see
 * `workspacesOfExistingRows`); existing link requests go to the first home
 * Safe (else the first Safe), and are dropped when there is no Safe. The
 * tables are rebuilt (SQLite cannot change a primary key).
 */
export const peoplePerWorkspace: Migration = {
  version: 17,
  name: "people per workspace",
  foreignKeysOff: true,
  sql: `
CREATE TABLE new_members (
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  slack_user_id TEXT,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  created_at INTEGER NOT NULL,
  workspace TEXT NOT NULL,
  PRIMARY KEY (workspace, id),
  UNIQUE (workspace, slack_user_id)
);
INSERT INTO new_members (id, name, slack_user_id, role, created_at, workspace)
  SELECT m.id, m.name, m.slack_user_id, m.role, m.created_at, w.workspace FROM members m, (${workspacesOfExistingRows}) w;
DROP TABLE members;
ALTER TABLE new_members RENAME TO members;

CREATE TABLE new_wallet_links (
  member_id TEXT NOT NULL,
  address TEXT NOT NULL,
  linked_at INTEGER NOT NULL,
  workspace TEXT NOT NULL,
  PRIMARY KEY (workspace, member_id, address)
);
INSERT INTO new_wallet_links (member_id, address, linked_at, workspace)
  SELECT l.member_id, l.address, l.linked_at, w.workspace FROM wallet_links l, (${workspacesOfExistingRows}) w;
DROP TABLE wallet_links;
ALTER TABLE new_wallet_links RENAME TO wallet_links;
CREATE INDEX wallet_links_address ON wallet_links (workspace, address);

CREATE TABLE new_address_book (
  address TEXT NOT NULL,
  label TEXT NOT NULL COLLATE NOCASE,
  category TEXT,
  kind TEXT,
  added_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  note TEXT,
  workspace TEXT NOT NULL,
  PRIMARY KEY (workspace, address),
  UNIQUE (workspace, label)
);
INSERT INTO new_address_book (address, label, category, kind, added_by, created_at, note, workspace)
  SELECT b.address, b.label, b.category, b.kind, b.added_by, b.created_at, b.note, w.workspace FROM address_book b, (${workspacesOfExistingRows}) w;
DROP TABLE address_book;
ALTER TABLE new_address_book RENAME TO address_book;

CREATE TABLE new_link_requests (
  token TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  safe_id INTEGER NOT NULL REFERENCES safes (id)
);
INSERT INTO new_link_requests (token, member_id, nonce, expires_at, used_at, safe_id)
  SELECT r.token, r.member_id, r.nonce, r.expires_at, r.used_at, s.id FROM link_requests r, (SELECT id FROM safes ORDER BY workspace != '', id LIMIT 1) s;
DROP TABLE link_requests;
ALTER TABLE new_link_requests RENAME TO link_requests;
`,
};
