import { readFileSync } from "node:fs";
import { bundledFixture, parseFixture, type Fixture } from "../../demo/fixture.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase, openReadOnlyDatabase } from "../helpers/database.ts";

/** Proposal ids of the bundled fixture kept in the small one: every kind of outcome, the owner change included. */
const kept = new Set(["p001", "p002", "p029", "p035", "p039", "p041", "p042"]);

/** The bundled fixture's JSON, cut down to its first three deposits and a few proposals (a replay of ~2 s). */
export function miniFixtureJson(): Record<string, unknown> {
  const json = JSON.parse(readFileSync(bundledFixture, "utf8")) as { name: string; timeline: Array<{ type: string; id?: string }> };
  const deposits = json.timeline.filter((entry) => entry.type === "deposit").slice(0, 3);
  return {
    ...json,
    name: "Lighthouse, a few weeks",
    timeline: json.timeline.filter((entry) => deposits.includes(entry) || (entry.id !== undefined && kept.has(entry.id))),
  };
}

export function miniFixture(): Fixture {
  return parseFixture(miniFixtureJson(), "mini fixture");
}

/** How many proposals the database at `path` holds, on the engine the tests run on (opened read-only, then closed). */
export function countProposals(path: string): number {
  const db = openReadOnlyDatabase({ path });
  try {
    return (connectionOf(db).prepare("SELECT count(*) AS n FROM proposals").get() as { n: number }).n;
  } finally {
    closeDatabase(db);
  }
}
