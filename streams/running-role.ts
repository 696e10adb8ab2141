/** A role started in this process (ingest, sink, actors): stop it to flush, commit and leave its group. */
export interface RunningRole {
  readonly name: string;
  stop(): Promise<void>;
}
