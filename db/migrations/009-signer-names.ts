import type { Migration } from "./migration.ts";

/**
 * Who signed, as known when they signed: an approval keeps the name of the
 * member whose wallet it came from at that moment, so a later wallet link never
 * rewrites history. Approvals stored before this migration take the name the
 * wallet is linked to now (the best that is known).
 */
export const signerNames: Migration = {
  version: 9,
  name: "signer names",
  sql: `
ALTER TABLE signatures ADD COLUMN signer_name TEXT;
UPDATE signatures SET signer_name = (
  SELECT m.name FROM wallet_links w JOIN members m ON m.id = w.member_id
   WHERE w.address = signatures.owner ORDER BY w.linked_at ASC LIMIT 1);
`,
};
