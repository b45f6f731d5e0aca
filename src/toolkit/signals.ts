/** The reason a request's signal carries when its client went away. */
export class ClientDisconnected extends Error {
  constructor() {
    super("The client disconnected before the response was complete");
    this.name = "ClientDisconnected";
  }
}
