import { userInfo } from "node:os";

/**
 * A `postgres://` URL as libpq would read it: with no user in it, PGUSER, else
 * the operating system's user name (node-postgres reads only $USER, which a
 * service or a root shell may not set).
 */
export function withDefaultUser(url: URL): URL {
  const named = new URL(url);
  if (!named.username) named.username = process.env.PGUSER || userInfo().username;
  return named;
}
