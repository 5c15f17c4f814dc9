// Apart from metrics.ts so `serve --help` and every other command can name the default without
// loading prom-client.
/** per-session series at most, problems first (the status order) */
export const DEFAULT_SESSION_SERIES_CAP = 500;
