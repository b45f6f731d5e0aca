/** The reason a request's signal carries when its client went away. */
export class ClientDisconnected extends Error {
  constructor() {
    super("The client disconnected before the response was complete");
    this.name = "ClientDisconnected";
  }
}

/** The reason a request's signal carries when its handler missed its deadline (answered 504). */
export class HandlerTimeout extends Error {
  /** The deadline that was missed, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number) {
    super(`The handler did not finish within ${timeout} ms`);
    this.name = "HandlerTimeout";
    this.timeout = timeout;
  }
}
