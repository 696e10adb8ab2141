/** The slice of autocannon 8's API the API benchmark uses (the package ships no types). */
declare module 'autocannon' {
  interface Percentiles {
    p50: number;
    p90: number;
    p99: number;
    average: number;
    max: number;
  }
  interface RequestSpec {
    method?: string;
    path?: string;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    overallRate?: number;
    timeout?: number;
    requests?: { setupRequest?: (req: RequestSpec) => RequestSpec }[];
  }
  interface Result {
    latency: Percentiles;
    requests: Percentiles & { total: number; sent: number };
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
