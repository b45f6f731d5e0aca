/** A failure the user can act on from its message alone: the CLI prints it as one line, without a stack. */
export class LoadError extends Error {
  override readonly name = "LoadError";
}
