import { fork, type ChildProcess } from "node:child_process";

export type BenchChild = {
  child: ChildProcess;
  /** The next message of this `type` from the child; rejects if the child exits first. */
  next: <T>(type: string) => Promise<T>;
  /** Asks the child to stop and resolves once it has exited. */
  stop: () => Promise<void>;
};

/**
 * Forks a bench's infrastructure module (the chain and the fake Slack: other
 * machines in real life) as a child process that talks by typed messages.
 */
export function forkBenchChild(modulePath: string): BenchChild {
  const child: ChildProcess = fork(modulePath, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const next = <T>(type: string) =>
    new Promise<T>((done, fail) => {
      const onMessage = (message: any) => {
        if (message?.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(message as T);
      };
      const onExit = (code: number | null) => {
        child.off("message", onMessage);
        fail(new Error(`bench infrastructure exited (code ${code}) before sending ${type}`));
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  return {
    child,
    next,
    stop: async () => {
      if (child.exitCode === null) child.send({ type: "stop" });
      await exited;
    },
  };
}
