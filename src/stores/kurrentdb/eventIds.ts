/**
 * KurrentDB event ids must be UUIDs. Our event ids are (random UUIDs); any other id is mapped to a
 * name-based UUID (SHA-1, RFC 9562 version 5 layout) so that a retried append of the same event
 * carries the same id and the server's duplicate detection still recognises it.
 */
import { createHash } from 'node:crypto';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const toEventUuid = (eventId: string): string => {
  if (uuid.test(eventId)) return eventId.toLowerCase();
  const bytes = createHash('sha1').update(`sessions-service:event:${eventId}`).digest().subarray(0, 16);
  bytes[6] = (bytes.readUInt8(6) & 0x0f) | 0x50;
  bytes[8] = (bytes.readUInt8(8) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
