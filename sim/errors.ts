// The caller's mistakes, as opposed to the harness's: a library module throws these when what it was
// asked for cannot be (a design that does not exist, a file that is not a summary), and the CLI maps
// them to exit 2. They live here, not in sim/commands, so the library never imports a command.
/** A mistake in how the command was called: exit 2, with the command's usage line. */
export class UsageError extends Error {
  /** The usage line printed under the message (the CLI fills in the command's own). */
  constructor(message: string, public usage?: string) { super(message); this.name = "UsageError"; }
}

/** Input the command cannot use (a missing file, a file that is not a summary, an unwritable path): exit 2, one line. */
export class InputError extends Error {
  constructor(message: string) { super(message); this.name = "InputError"; }
}
