/** The reason a request's signal carries when its client went away. */
export class ClientDisconnected extends Error {
  constructor() {
    super("The client disconnected before the response was complete");
    this.name = "ClientDisconnected";
  }
}

/** The reason a request's signal carries when its handler passed its deadline. */
export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`The handler did not finish within ${ms} ms`);
    this.name = "DeadlineExceeded";
  }
}
