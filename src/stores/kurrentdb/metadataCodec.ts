/**
 * Event metadata for KurrentDB's multi-stream append, which accepts only a flat JSON object of
 * string values (the server keeps metadata as string properties). Our metadata has numbers
 * (schemaVersion) and objects (actor), so it is encoded: a string value is kept under its own key
 * (eventId, workspaceId… stay readable in the server's UI), any other value is JSON-encoded under
 * `<key>:json`, and a marker key says the object is encoded. Decoding restores the exact
 * metadata; keys the server adds itself (starting with `$`) are ignored. Events appended one
 * stream at a time carry the plain metadata object, so every read path decodes both forms.
 */
import type { EventMetadata } from '../../events/envelope.js';

export const metadataEncodingKey = 'sessionsMetadataEncoding';
export const metadataEncodingVersion = 'string-values-1';
const jsonSuffix = ':json';

export const encodeMetadataAsStrings = (metadata: EventMetadata): Record<string, string> => {
  const encoded: Record<string, string> = { [metadataEncodingKey]: metadataEncodingVersion };
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    if (key === metadataEncodingKey || key.startsWith('$') || key.endsWith(jsonSuffix))
      throw new Error(`metadata key ${key} cannot be encoded`);
    if (typeof value === 'string') encoded[key] = value;
    else encoded[`${key}${jsonSuffix}`] = JSON.stringify(value);
  }
  return encoded;
};

export const isStringEncoded = (metadata: unknown): metadata is Record<string, unknown> =>
  metadata !== null &&
  typeof metadata === 'object' &&
  (metadata as Record<string, unknown>)[metadataEncodingKey] === metadataEncodingVersion;

/** The metadata as it was appended, from either form; anything that is not encoded is returned as it is. */
export const decodeMetadata = (metadata: unknown): unknown => {
  if (!isStringEncoded(metadata)) return metadata;
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === metadataEncodingKey || key.startsWith('$') || typeof value !== 'string') continue;
    if (key.endsWith(jsonSuffix)) decoded[key.slice(0, -jsonSuffix.length)] = JSON.parse(value) as unknown;
    else decoded[key] = value;
  }
  return decoded;
};
