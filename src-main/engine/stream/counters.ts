/** Engine-wide connection counters since start, as the status documents and /metrics report them. */
export interface EngineCounters {
  listenerConnections: number;
  sourceConnections: number;
  failedSourceLogins: number;
  slowListenerDrops: number;
  clientConnections: number;
}
