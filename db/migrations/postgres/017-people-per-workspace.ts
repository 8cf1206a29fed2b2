import type { Migration } from "../migration.ts";
import { workspacesOfExistingRows } from "../017-people-per-workspace.ts";

/** The copies of a table's existing rows into the workspaces other than home (home's are the rows themselves). */
const copies = (table: string, columns: string) =>
  `INSERT INTO ${table} (${columns}, workspace) SELECT ${columns}, w.workspace FROM ${table} CROSS JOIN (${workspacesOfExistingRows}) AS w (workspace) WHERE w.workspace != '' AND ${table}.workspace = '';`;

/**
 * PostgreSQL's side of SQLite's migration 017
 * (db/migrations/017-people-per-workspace.ts): members, wallet links and the
 * address book per workspace, with keys that include it, and the Safe each
 * link request was asked for.
 */
export const postgresPeoplePerWorkspace: Migration = {
  version: 17,
  name: "people per workspace",
  sql: `
ALTER TABLE members ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE members DROP CONSTRAINT members_pkey, DROP CONSTRAINT members_slack_user_id_key;
ALTER TABLE members ADD PRIMARY KEY (workspace, id), ADD UNIQUE (workspace, slack_user_id);
${copies("members", "id, name, slack_user_id, role, created_at")}
ALTER TABLE members ALTER COLUMN workspace DROP DEFAULT;

ALTER TABLE wallet_links ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE wallet_links DROP CONSTRAINT wallet_links_pkey;
ALTER TABLE wallet_links ADD PRIMARY KEY (workspace, member_id, address);
DROP INDEX wallet_links_address;
CREATE INDEX wallet_links_address ON wallet_links (workspace, address);
${copies("wallet_links", "member_id, address, linked_at")}
ALTER TABLE wallet_links ALTER COLUMN workspace DROP DEFAULT;

ALTER TABLE address_book ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE address_book DROP CONSTRAINT address_book_pkey, DROP CONSTRAINT address_book_label_key;
ALTER TABLE address_book ADD PRIMARY KEY (workspace, address), ADD UNIQUE (workspace, label);
${copies("address_book", "address, label, category, kind, added_by, created_at, note")}
ALTER TABLE address_book ALTER COLUMN workspace DROP DEFAULT;

ALTER TABLE link_requests ADD COLUMN safe_id BIGINT REFERENCES safes (id);
UPDATE link_requests SET safe_id = (SELECT id FROM safes ORDER BY workspace != '', id LIMIT 1);
DELETE FROM link_requests WHERE safe_id IS NULL;
ALTER TABLE link_requests ALTER COLUMN safe_id SET NOT NULL;
`,
};
