/**
 * Where the treasury's time comes from, in unix seconds. The service uses the
 * wall clock; the demo replay sets the scenario's time, so every record it
 * makes carries the time the scenario says, with nothing rewritten afterwards.
 */
export type Clock = () => number;

/** The wall clock, in whole unix seconds. */
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
