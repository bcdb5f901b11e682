/**
 * Specifications that read as given / when / then:
 * - for any decider: events given, a command (with its looked-up context), then the events
 *   decided, nothing, or the typed error thrown;
 * - for any projection: events given, then the document(s) they fold into.
 */
import { expect } from 'chai';
import { fold, type Decider } from '../../src/commands/decider.js';
import type { Event, StoredEvent } from '../../src/events/envelope.js';
import { AppError, type FieldError } from '../../src/errors.js';
import type { Document, Projection } from '../../src/projections/projection.js';

export interface ErrorExpectation {
  status: number;
  /** The exact list of failing fields (order-insensitive), when given. */
  errors?: FieldError[];
  /** The set of failing paths, when given; messages not checked. */
  paths?: string[];
  /** Substrings the detail message must contain. */
  detailIncludes?: string[];
  /** The error's code (its problem type), when given. */
  code?: string;
}

const sortErrors = (errors: readonly FieldError[]): FieldError[] =>
  [...errors].sort((a, b) => `${a.path}\u0000${a.message}`.localeCompare(`${b.path}\u0000${b.message}`));

/** Asserts that `error` is the AppError described. */
export const expectAppError = (error: unknown, expected: ErrorExpectation): AppError => {
  expect(error, String(error)).to.be.instanceOf(AppError);
  const appError = error as AppError;
  expect(appError.status, `${appError.message} ${JSON.stringify(appError.errors)}`).to.equal(expected.status);
  if (expected.code) expect(appError.code).to.equal(expected.code);
  if (expected.errors) expect(sortErrors(appError.errors ?? [])).to.deep.equal(sortErrors(expected.errors));
  if (expected.paths) {
    const listed = [...new Set((appError.errors ?? []).map((e) => e.path))].sort();
    expect(listed, JSON.stringify(appError.errors)).to.deep.equal([...expected.paths].sort());
  }
  for (const part of expected.detailIncludes ?? []) expect(appError.message).to.include(part);
  return appError;
};

export interface DeciderThen<E> {
  /** Exactly these events. */
  then(expected: E[]): void;
  /** A check on the events decided. */
  thenEvents(check: (events: E[]) => void): void;
  /** No event: the command changes nothing. */
  thenNothing(): void;
  thenError(expected: ErrorExpectation): AppError;
}

export const deciderSpec = <C, E, S, Ctx>(decider: Decider<C, E, S, Ctx>) => ({
  given: (...history: E[]) => ({
    when(command: C, context: Ctx): DeciderThen<E> {
      const state = fold(decider, history);
      let outcome: { events: E[] } | { error: unknown };
      try {
        outcome = { events: decider.decide(command, state, context) };
      } catch (error) {
        outcome = { error };
      }
      const events = (): E[] => {
        if ('error' in outcome) {
          const e = outcome.error as AppError;
          throw new Error(`expected events, got ${e.name} ${e.message} ${JSON.stringify(e.errors ?? [])}`);
        }
        return outcome.events;
      };
      return {
        then: (expected) => expect(events()).to.deep.equal(expected),
        thenEvents: (check) => {
          check(events());
        },
        thenNothing: () => expect(events()).to.deep.equal([]),
        thenError(expected) {
          if (!('error' in outcome)) throw new Error(`expected an error ${expected.status}, got events ${JSON.stringify(outcome.events)}`);
          return expectAppError(outcome.error, expected);
        },
      };
    },
  }),
});

/** Gives events the place a store would: one stream per aggregate, positions 1, 2, … in order. */
/** The stream of a catalog or session event: its kind and the id its data names. */
export const aggregateStream = (event: Event<string, unknown>): string => {
  const data = event.data as Record<string, unknown>;
  const key = ['sessionId', 'clientId', 'serviceId', 'staffId', 'workspaceId'].find((k) => typeof data[k] === 'string') ?? 'none';
  return `${key}-${String(data[key])}`;
};

export const recorded = (
  events: readonly Event<string, unknown>[],
  streamOf: (event: Event<string, unknown>) => string = (e) => e.type,
): StoredEvent[] => {
  const revisions = new Map<string, bigint>();
  return events.map((event, i) => {
    const streamId = streamOf(event);
    const revision = (revisions.get(streamId) ?? -1n) + 1n;
    revisions.set(streamId, revision);
    return { ...event, streamId, revision, position: BigInt(i + 1) };
  });
};

/**
 * Folds the given events through a projection the way the stores do (each event applied to the
 * documents its selector names; `where` selectors match on the documents folded so far), and
 * checks the documents that result.
 */
export const projectionSpec = <D extends Document>(projection: Projection<D>, streamOf?: (event: Event<string, unknown>) => string) => ({
  given: (...events: Event<string, unknown>[]) => {
    const documents = new Map<string, D>();
    for (const event of recorded(events, streamOf)) {
      if (!projection.handles.includes(event.type)) continue;
      const selector = projection.documents(event);
      const ids =
        'ids' in selector
          ? selector.ids
          : [...documents.values()]
              .filter((doc) => {
                const value = doc[selector.where.field];
                return (
                  doc.workspaceId === selector.workspaceId &&
                  (Array.isArray(value) ? value.includes(selector.where.equals) : value === selector.where.equals)
                );
              })
              .map((doc) => doc.id);
      for (const id of ids) {
        const next = projection.evolve(documents.get(id) ?? null, event, id);
        if (next === null) documents.delete(id);
        else documents.set(id, next);
      }
    }
    return {
      /** The one document with this id. */
      then: (id: string, expected: D | null) => expect(documents.get(id) ?? null).to.deep.equal(expected),
      thenDocument: (id: string, check: (document: D) => void) => {
        const document = documents.get(id);
        expect(document, `document ${id}`).to.not.equal(undefined);
        check(document!);
      },
      /** Every document, by id. */
      thenAll: (expected: Record<string, D>) => expect(Object.fromEntries(documents)).to.deep.equal(expected),
    };
  },
});
