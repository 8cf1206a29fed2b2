import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's Prometheus metrics, on a registry of its own (no global state between tests). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "treasury_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "treasury_http_requests_total",
      help: "HTTP requests served, by route and status code",
      labelNames: ["route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "treasury_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["route"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    latestBlock: new Gauge({
      name: "treasury_chain_latest_block",
      help: "Latest block number seen on the chain",
      registers: [registry],
    }),
    indexedBlock: new Gauge({
      name: "treasury_indexer_checkpoint_block",
      help: "Last block the indexer committed",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
