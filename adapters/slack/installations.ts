import type { ReadableDatabase } from "../../db/handle.ts";
import { loadInstallation, readInstallation, type StoredInstallation } from "../../db/installations.ts";

/** How long a process trusts an installation it read (another process's reinstall or removal is seen within this). */
export const installationTrustMs = 5_000;

export type InstallationCache = {
  /** The workspace's installation: read at most once per `installationTrustMs`; a workspace without one is read every time. */
  read: (teamId: string) => StoredInstallation | undefined;
  /** The same, read without holding the process while the database answers (a request's authorization, which comes first). */
  load: (teamId: string) => Promise<StoredInstallation | undefined>;
  /** Drops what this process knows of a workspace (after it stores or removes the installation itself). */
  forget: (teamId: string) => void;
};

/**
 * The installations of workspaces, as Bolt's authorization, the workspace of
 * each request and each Web API call's token need them: every Slack request
 * would otherwise read the same row two or three times. Only installations
 * found are kept (a workspace that installs is served at once), for a few
 * seconds, so a token replaced by a reinstall elsewhere is used at most that
 * long (Slack then refuses it and the job is retried).
 */
export function createInstallationCache(db: ReadableDatabase, trustMs = installationTrustMs): InstallationCache {
  const known = new Map<string, { installation: StoredInstallation; until: number }>();
  /** Bumped by `forget`: a read begun before it is not kept (it may predate this process's own store or removal). */
  let forgets = 0;
  const fresh = (teamId: string) => {
    const hit = known.get(teamId);
    return hit && hit.until > performance.now() ? hit : undefined;
  };
  const keep = (teamId: string, installation: StoredInstallation | undefined, readAt: number) => {
    if (installation) known.set(teamId, { installation, until: readAt + trustMs });
    else known.delete(teamId);
    return installation;
  };
  return {
    read: (teamId) => fresh(teamId)?.installation ?? keep(teamId, readInstallation(db, teamId), performance.now()),
    async load(teamId) {
      const hit = fresh(teamId);
      if (hit) return hit.installation;
      const [readAt, forgetsBefore] = [performance.now(), forgets];
      const installation = await loadInstallation(db, teamId);
      return forgets === forgetsBefore ? keep(teamId, installation, readAt) : installation;
    },
    forget: (teamId) => {
      forgets += 1;
      known.delete(teamId);
    },
  };
}
