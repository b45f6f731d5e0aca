/**
 * Counters an app keeps about its requests, for `app.stats()`: plain numbers bumped on the
 * paths where the events happen, so keeping them costs an increment.
 */
export interface RequestCounters {
  /** Requests whose signal fired because the client went away before the response was complete. */
  cancelled: number;
  /** Requests answered 504 because the handler missed its deadline. */
  timedOut: number;
  /** Requests answered 503 at once because `maxConcurrency` were already in flight. */
  rejected: number;
  /** Requests answered 503 by load shedding (event-loop delay or heap over its limit). */
  shed: number;
  /** Event-loop blocks longer than the blocking threshold that were reported. */
  blocked: number;
}

export function newCounters(): RequestCounters {
  return { cancelled: 0, timedOut: 0, rejected: 0, shed: 0, blocked: 0 };
}
