/**
 * Given / when / then for the pure deciders: the catalog state is folded from the given events
 * with `evolveCatalog`, the "when" step parses a raw body (if any) and decides, and the outcome is
 * either the events decided or the typed error thrown (by the parser or the decider).
 */
import { expect } from 'chai';
import { decideAddStaffMember, parseAddStaffMember } from '../../src/commands/addStaffMember.js';
import { evolveCatalog, initialCatalogState, type CatalogState } from '../../src/commands/catalogState.js';
import { decideCreateSession, parseCreateSession } from '../../src/commands/createSession.js';
import { decideCreateWorkspace, parseCreateWorkspace } from '../../src/commands/createWorkspace.js';
import { decideDefineService, parseDefineService } from '../../src/commands/defineService.js';
import { decideRegisterClient, parseRegisterClient } from '../../src/commands/registerClient.js';
import type { EventMetadata } from '../../src/events/envelope.js';
import type {
  ClientRegistered,
  DomainEvent,
  ServiceDefined,
  SessionCreated,
  StaffMemberAdded,
  WorkspaceCreated,
} from '../../src/events/index.js';
import { AppError, type FieldError } from '../../src/errors.js';

let counter = 0;
/** A fresh 24-hex id, unique within the test run (deterministic, no clock). */
export const newId = (): string => {
  counter += 1;
  return counter.toString(16).padStart(24, 'a');
};

/** What the HTTP layer would put in metadata; schemaVersion is the decider's to set. */
export const commandMetadata = (workspaceId: string, overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  eventId: '0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11',
  occurredAt: '2024-01-15T10:00:00.000Z',
  actor: { userId: 'user-1', name: 'Reception' },
  workspaceId,
  requestId: 'req-123',
  correlationId: 'corr-456',
  schemaVersion: 0,
  ...overrides,
});

// ---- given: catalog events ----

export const workspaceCreated = (workspaceId: string, timeZone = 'UTC'): WorkspaceCreated => ({
  type: 'WorkspaceCreated',
  data: { workspaceId, name: 'Clinic', timeZone },
  metadata: { ...commandMetadata(workspaceId), schemaVersion: 1 },
});

export const clientRegistered = (workspaceId: string, clientId: string, name = 'John Doe'): ClientRegistered => ({
  type: 'ClientRegistered',
  data: { clientId, workspaceId, name, email: null, phone: null },
  metadata: { ...commandMetadata(workspaceId), schemaVersion: 1 },
});

export const serviceDefined = (
  workspaceId: string,
  serviceId: string,
  durationMinutes: number | null,
  options: { name?: string; scope?: string } = {},
): ServiceDefined => ({
  type: 'ServiceDefined',
  data: {
    serviceId,
    workspaceId,
    name: options.name ?? `Service ${serviceId.slice(-4)}`,
    scope: options.scope ?? 'sessions',
    durationMinutes,
  },
  metadata: { ...commandMetadata(workspaceId), schemaVersion: 1 },
});

export const staffMemberAdded = (workspaceId: string, staffId: string, name = 'Dr. Smith'): StaffMemberAdded => ({
  type: 'StaffMemberAdded',
  data: { staffId, workspaceId, name, email: null },
  metadata: { ...commandMetadata(workspaceId), schemaVersion: 1 },
});

// ---- when: commands, from a raw body as the HTTP layer receives it ----

export type Decision = (state: CatalogState) => DomainEvent[];

export interface CommandIds {
  workspaceId: string;
  /** The new aggregate's id (sessionId, clientId, ...). */
  id: string;
  metadata?: EventMetadata;
}

export const createSession =
  (body: unknown, ids: CommandIds): Decision =>
  (state) =>
    decideCreateSession(
      {
        type: 'CreateSession',
        data: { ...parseCreateSession(body), sessionId: ids.id, workspaceId: ids.workspaceId },
        metadata: ids.metadata ?? commandMetadata(ids.workspaceId),
      },
      state,
    );

export const createWorkspace =
  (body: unknown, ids: CommandIds): Decision =>
  () =>
    decideCreateWorkspace({
      type: 'CreateWorkspace',
      data: { ...parseCreateWorkspace(body), workspaceId: ids.workspaceId },
      metadata: ids.metadata ?? commandMetadata(ids.workspaceId),
    });

export const registerClient =
  (body: unknown, ids: CommandIds): Decision =>
  (state) =>
    decideRegisterClient(
      {
        type: 'RegisterClient',
        data: { ...parseRegisterClient(body), clientId: ids.id, workspaceId: ids.workspaceId },
        metadata: ids.metadata ?? commandMetadata(ids.workspaceId),
      },
      state,
    );

export const defineService =
  (body: unknown, ids: CommandIds): Decision =>
  (state) =>
    decideDefineService(
      {
        type: 'DefineService',
        data: { ...parseDefineService(body), serviceId: ids.id, workspaceId: ids.workspaceId },
        metadata: ids.metadata ?? commandMetadata(ids.workspaceId),
      },
      state,
    );

export const addStaffMember =
  (body: unknown, ids: CommandIds): Decision =>
  (state) =>
    decideAddStaffMember(
      {
        type: 'AddStaffMember',
        data: { ...parseAddStaffMember(body), staffId: ids.id, workspaceId: ids.workspaceId },
        metadata: ids.metadata ?? commandMetadata(ids.workspaceId),
      },
      state,
    );

// ---- then ----

type Outcome = { events: DomainEvent[] } | { error: unknown };

export interface ErrorExpectation {
  status: number;
  /** The exact list of failing fields (order-insensitive), when given. */
  errors?: FieldError[];
  /** The set of failing paths (a path may carry several messages), when given; messages not checked. */
  paths?: string[];
  /** Substrings the detail message must contain. */
  detailIncludes?: string[];
}

export interface Then {
  /** The exact events decided. */
  then(expected: DomainEvent[]): void;
  /** A check on the events decided, for tests that look at a few facts. */
  thenEvents(check: (events: DomainEvent[]) => void): void;
  /** The first event, typed as SessionCreated. */
  thenSession(check: (event: SessionCreated) => void): void;
  thenError(expected: ErrorExpectation): AppError;
}

const sortErrors = (errors: readonly FieldError[]): FieldError[] =>
  [...errors].sort((a, b) => `${a.path}\u0000${a.message}`.localeCompare(`${b.path}\u0000${b.message}`));

export const given = (...history: DomainEvent[]) => ({
  when(decision: Decision): Then {
    const state = history.reduce(evolveCatalog, initialCatalogState());
    let outcome: Outcome;
    try {
      outcome = { events: decision(state) };
    } catch (error) {
      outcome = { error };
    }
    const events = (): DomainEvent[] => {
      if ('error' in outcome) {
        const e = outcome.error as AppError;
        throw new Error(`expected events, got ${e.name} ${e.message} ${JSON.stringify(e.errors ?? [])}`);
      }
      return outcome.events;
    };
    return {
      then(expected) {
        expect(events()).to.deep.equal(expected);
      },
      thenEvents(check) {
        check(events());
      },
      thenSession(check) {
        const decided = events();
        expect(decided).to.have.length(1);
        expect(decided[0]!.type).to.equal('SessionCreated');
        check(decided[0] as SessionCreated);
      },
      thenError(expected) {
        if (!('error' in outcome)) throw new Error(`expected an error ${expected.status}, got events ${JSON.stringify(outcome.events)}`);
        const error = outcome.error;
        expect(error, String(error)).to.be.instanceOf(AppError);
        const appError = error as AppError;
        expect(appError.status, `${appError.message} ${JSON.stringify(appError.errors)}`).to.equal(expected.status);
        if (expected.errors) expect(sortErrors(appError.errors ?? [])).to.deep.equal(sortErrors(expected.errors));
        if (expected.paths) {
          const listed = [...new Set((appError.errors ?? []).map((e) => e.path))].sort();
          expect(listed, JSON.stringify(appError.errors)).to.deep.equal([...expected.paths].sort());
        }
        for (const part of expected.detailIncludes ?? []) expect(appError.message).to.include(part);
        return appError;
      },
    };
  },
});
