/**
 * One scrape for `marquee api --workers N`: the workers share the port, so a scrape of /metrics
 * lands on any one of them. That worker asks the primary over the cluster's IPC channel, and the
 * primary gathers every worker's registry with prom-client's AggregatorRegistry (counters and
 * histograms summed; gauges by each metric's `aggregator`), so Prometheus sees the whole API.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const REQUEST = 'marquee:cluster-metrics-request';
const RESPONSE = 'marquee:cluster-metrics-response';

interface Request {
  readonly type: typeof REQUEST;
  readonly id: number;
}
interface Response {
  readonly type: typeof RESPONSE;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/** In the primary: answers the workers' requests with the aggregated metrics of all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Request) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text } satisfies Response),
      (error: unknown) =>
        worker.send({ type: RESPONSE, id: message.id, error: String(error) } satisfies Response),
    );
  });
}

/**
 * In a worker: makes `registry` the one the primary aggregates, and returns the text of a scrape of
 * the whole cluster (asked of the primary; at most `timeoutMs`, then this worker's own metrics).
 */
export function clusterMetricsText(registry: Registry, timeoutMs = 5_000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one adds the worker's listener that answers the primary's requests.
  new AggregatorRegistry();
  const pending = new Map<number, (response: Response) => void>();
  let next = 0;
  process.on('message', (message: Response) => {
    if (message?.type === RESPONSE) pending.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        registry.metrics().then(resolve, reject);
      }, timeoutMs);
      pending.set(id, (response) => {
        clearTimeout(timer);
        pending.delete(id);
        if (response.text !== undefined) resolve(response.text);
        else reject(new Error(`cluster metrics: ${response.error ?? 'no answer'}`));
      });
      process.send?.({ type: REQUEST, id } satisfies Request);
    });
}
