/**
 * Server-side filters for reading $all. KurrentDB applies one filter per read, on the stream name
 * or on the event type, not both:
 * - the projector's subscription filters on our stream prefixes (src/events/streams.ts), which
 *   also keeps out system streams (they start with `$`);
 * - readAll (the port's "whole log") excludes system events by type (`$`-prefixed), or, when the
 *   read asks for event types, matches exactly those types (which excludes system events too).
 * workspaceId lives in event metadata, which the server cannot filter on: that filter, and a
 * second check of the rest, is done on the client by `matchesReadAll`.
 */
import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type PrefixesFilter, type RegexFilter } from '@kurrent/kurrentdb-client';
import { streamPrefixes } from '../../events/streams.js';
import type { ReadAllOptions, StoredEvent } from '../eventStore.js';

export const ourStreamsFilter = (): PrefixesFilter => streamNameFilter({ prefixes: [...streamPrefixes] });

const escapeRegex = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** Matches exactly the given event types (anchored alternation, metacharacters escaped). */
export const exactTypesRegex = (types: readonly string[]): string => `^(?:${types.map(escapeRegex).join('|')})$`;

/** The server-side filter for a readAll with these options. */
export const readAllFilter = (options: Pick<ReadAllOptions, 'types'>): RegexFilter =>
  options.types?.length ? eventTypeFilter({ regex: exactTypesRegex(options.types) }) : excludeSystemEvents();

export const isOurStream = (streamId: string): boolean => streamPrefixes.some((prefix) => streamId.startsWith(prefix));

const isSystem = (event: StoredEvent): boolean => event.type.startsWith('$') || event.streamId.startsWith('$');

/** The client-side part of readAll's filtering. */
export const matchesReadAll = (event: StoredEvent, options: Pick<ReadAllOptions, 'types' | 'workspaceId'>): boolean =>
  !isSystem(event) &&
  (!options.types?.length || options.types.includes(event.type)) &&
  (options.workspaceId === undefined || event.metadata.workspaceId === options.workspaceId);

/** The client-side check of the projector's subscription: our streams, no system events. */
export const matchesSubscription = (event: StoredEvent): boolean => !isSystem(event) && isOurStream(event.streamId);
