/**
 * CPU time of processes, read from Linux's /proc: what each part of a bench
 * spent, to say where the machine's cores went. Elsewhere every reading is
 * undefined and the bench prints "n/a".
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** User plus system CPU seconds of one process, all its threads; undefined if it is gone or /proc is not there. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** CPU seconds of every PostgreSQL server process on this machine (the postmaster and its backends), by pid. */
export function postgresCpuSeconds(): Map<number, number> {
  const seconds = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return seconds;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
    } catch {
      continue;
    }
    const used = cpuSecondsOf(Number(pid));
    if (used !== undefined) seconds.set(Number(pid), used);
  }
  return seconds;
}

/**
 * CPU PostgreSQL spent between two readings: backends that started since
 * count whole, backends that ended since are lost (their time is not in
 * /proc any more), so it is a lower bound when connections come and go.
 */
export function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, used] of after) spent += used - (before.get(pid) ?? 0);
  return spent;
}
