/**
 * The shape of every aggregate (as Emmett's `typing/decider.ts` has it): a state folded from the
 * aggregate's own stream, and a pure decision. `context` carries what the decision needs from
 * outside the stream (catalog entries named by the command, the clock's reading), loaded by a
 * named lookup before deciding, so `decide` never does I/O.
 */
export interface Decider<Command, Event, State, Context> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** The events the command causes (none: nothing to do), or a typed error. */
  decide(command: Command, state: State, context: Context): Event[];
}

/** Folds events into a decider's state. */
export const fold = <Event, State>(
  decider: Pick<Decider<unknown, Event, State, unknown>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState());
