/**
 * Reads and parses a JSON body after authentication (so 401/403 come before 400/413/415), with
 * every cost bounded before it is paid: the media type and encoding are checked first, the body
 * limit applies to the inflated size while it streams in, then the bytes must be UTF-8, nest at
 * most `maxDepth` deep and hold at most `jsonMaxEntries` entries per array or object before
 * JSON.parse runs.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import Bourne from '@hapi/bourne';
import getRawBody from 'raw-body';
import type { Next } from 'koa';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors.js';
import type { AppContext } from '../context.js';

declare module 'koa' {
  interface Request {
    /** The parsed JSON body, set by jsonBody (same declaration as @koa/bodyparser's). */
    body?: unknown;
  }
}

export interface JsonBodyOptions {
  limitBytes: number;
  /** Deepest nesting of objects and arrays accepted; `jsonMaxDepth` unless a test says otherwise. */
  maxDepth?: number;
  /** A request without a body reads as `{}` (commands whose body is all optional). */
  optional?: boolean;
}

const decoders: Record<string, (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | null> = {
  identity: null,
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const invalid = (message: string, fieldMessage: string): ValidationError =>
  new ValidationError(message, [{ path: '', message: fieldMessage }]);

/** The deepest nesting any body of this API needs is 3 (a session's fieldValues); 16 leaves room. */
export const jsonMaxDepth = 16;
/** The most entries any array or object of this API needs is 100 (fieldValues); 1000 leaves room. */
export const jsonMaxEntries = 1000;
/**
 * The longest string any body of this API needs is a field value of 10,000 characters: at most
 * 60,000 bytes of JSON text even if every character is written as a \uXXXX escape.
 */
export const jsonMaxStringBytes = 64 * 1024;

export interface JsonShapeLimits {
  maxDepth: number;
  maxEntries: number;
  maxStringBytes: number;
}

export interface JsonShapeProblem {
  /** Where, as in validation errors: `serviceIds`, `fieldValues[3].value`, '' for the body itself. */
  path: string;
  message: string;
}

interface Frame {
  array: boolean;
  /** Commas seen at this level: the index of the current element. */
  commas: number;
  /** Offsets of the current key (objects), to name the path of a refused container. */
  keyStart: number;
  keyEnd: number;
  expectKey: boolean;
}

const pathOf = (bytes: Uint8Array, frames: readonly Frame[], upTo: number): string => {
  let path = '';
  for (const frame of frames.slice(0, upTo)) {
    if (frame.array) path += `[${frame.commas}]`;
    else {
      let key: string;
      try {
        key = JSON.parse(Buffer.from(bytes.subarray(frame.keyStart, frame.keyEnd)).toString('utf8')) as string;
      } catch {
        key = '?';
      }
      path += path === '' ? key : `.${key}`;
    }
  }
  return path;
};

/**
 * One pass over the bytes, before JSON.parse: objects and arrays may nest at most `maxDepth` deep
 * and hold at most `maxEntries` entries each. A 250,000-element array is refused here, in a couple
 * of milliseconds, instead of being parsed into 250,000 values and then checked one by one.
 */
export const checkJsonShape = (bytes: Uint8Array, { maxDepth, maxEntries, maxStringBytes }: JsonShapeLimits): JsonShapeProblem | null => {
  const frames: Frame[] = [];
  let inString = false;
  let stringStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < bytes.length; for…of, which needs no assertion, is about 5 times slower over a Buffer
    const byte = bytes[i]!;
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (byte === 0x22) {
        inString = false;
        const top = frames[frames.length - 1];
        const isKey = top !== undefined && !top.array && top.expectKey;
        if (i - stringStart - 1 > maxStringBytes) {
          return isKey
            ? {
                path: pathOf(bytes, frames, frames.length - 1),
                message: `must not have a property name longer than ${maxStringBytes} bytes`,
              }
            : { path: pathOf(bytes, frames, frames.length), message: `must be at most ${maxStringBytes} bytes of JSON text` };
        }
        if (top && isKey) {
          top.keyEnd = i + 1;
          top.expectKey = false;
        }
      }
    } else if (byte === 0x22) {
      inString = true;
      stringStart = i;
      const top = frames[frames.length - 1];
      if (top && !top.array && top.expectKey) top.keyStart = i;
    } else if (byte === 0x7b || byte === 0x5b) {
      if (frames.length >= maxDepth)
        return { path: pathOf(bytes, frames, frames.length), message: `must nest at most ${maxDepth} levels deep` };
      frames.push({ array: byte === 0x5b, commas: 0, keyStart: 0, keyEnd: 0, expectKey: byte === 0x7b });
    } else if (byte === 0x7d || byte === 0x5d) frames.pop();
    else if (byte === 0x2c) {
      const top = frames[frames.length - 1];
      if (top) {
        if (++top.commas >= maxEntries) {
          return {
            path: pathOf(bytes, frames, frames.length - 1),
            message: `must have at most ${maxEntries} ${top.array ? 'elements' : 'properties'}`,
          };
        }
        if (!top.array) top.expectKey = true;
      }
    }
  }
  return null;
};

const readBody = async (ctx: AppContext, limitBytes: number): Promise<Buffer> => {
  const encoding = (ctx.get('Content-Encoding') || 'identity').trim().toLowerCase();
  if (!Object.hasOwn(decoders, encoding)) {
    throw new UnsupportedMediaTypeError(
      `Content-Encoding "${encoding.slice(0, 50)}" is not supported; send identity, gzip, deflate or br.`,
    );
  }
  const makeDecoder = decoders[encoding];
  const decoder = makeDecoder ? makeDecoder() : null;
  const source: Readable = decoder ? ctx.req.pipe(decoder) : ctx.req;
  // A client that goes away mid-body does not end the decoder: end the read instead of waiting forever.
  const abandoned = (): void => {
    if (!ctx.req.complete) decoder?.destroy(Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400 }));
  };
  if (decoder) ctx.req.once('close', abandoned);
  const length = decoder ? undefined : ctx.request.length;
  try {
    return await getRawBody(source, { limit: limitBytes, ...(length === undefined ? {} : { length }) });
  } catch (error) {
    const failure = error as { type?: string; code?: string; status?: number };
    if (failure.type === 'entity.too.large') {
      // The rest of the body is not worth reading: close the connection after the answer.
      ctx.set('Connection', 'close');
      throw new PayloadTooLargeError(`The body is larger than the limit of ${limitBytes} bytes${decoder ? ' once decompressed' : ''}.`);
    }
    if (
      decoder &&
      failure.type !== 'request.aborted' &&
      (failure.code?.startsWith('Z_') || failure.code?.startsWith('ERR_') || failure.type === undefined)
    ) {
      throw invalid(
        `The body is not valid ${encoding} data (Content-Encoding: ${encoding}).`,
        `must be ${encoding}-compressed as Content-Encoding says`,
      );
    }
    if (failure.type === 'request.size.invalid')
      throw invalid('The body is shorter or longer than its Content-Length.', 'must be as long as Content-Length says');
    if (failure.status !== undefined && failure.status >= 400 && failure.status < 500)
      throw invalid('The body could not be read.', 'must be sent completely');
    throw error;
  } finally {
    if (decoder) {
      ctx.req.off('close', abandoned);
      ctx.req.unpipe(decoder);
      decoder.destroy();
    }
  }
};

export const jsonBody = (options: JsonBodyOptions) => {
  const maxDepth = options.maxDepth ?? jsonMaxDepth;
  return async function jsonBodyMiddleware(ctx: AppContext, next: Next): Promise<void> {
    const hasBody = ctx.request.length > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.request.is('application/json', '+json')) {
      throw new UnsupportedMediaTypeError(`Send the body as application/json (got ${ctx.get('Content-Type') || 'no Content-Type'}).`);
    }
    if (!hasBody && options.optional) {
      ctx.request.body = {};
      await next();
      return;
    }
    if (!hasBody) {
      throw invalid('The request needs a JSON body.', 'must be a JSON object');
    }
    const charset = ctx.request.charset;
    if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
      throw new UnsupportedMediaTypeError(`JSON is UTF-8 (RFC 8259); the charset ${charset} is not accepted.`);
    }
    let bytes = await readBody(ctx, options.limitBytes);
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    // TextDecoder would turn invalid sequences into U+FFFD and store them; refuse them instead.
    if (!isUtf8(bytes)) throw invalid('The body is not valid UTF-8.', 'must be valid UTF-8');
    // The body is all here: let the event loop turn (health probes, other requests) before the CPU-bound part.
    await yieldToEventLoop();
    const shape = checkJsonShape(bytes, { maxDepth, maxEntries: jsonMaxEntries, maxStringBytes: jsonMaxStringBytes });
    if (shape) {
      throw new ValidationError(`The body is too large in shape at ${shape.path || 'its top level'}: it ${shape.message}.`, [shape]);
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') throw invalid('The request needs a JSON body.', 'must be a JSON object');
    try {
      ctx.request.body = Bourne.parse(text, { protoAction: 'error' });
    } catch (error) {
      // Bourne refuses prototype-poisoning keys (`__proto__`) outright.
      if (/prototype/i.test((error as Error).message)) {
        throw invalid(
          'The body uses a property name that is not allowed.',
          'must not contain "__proto__" or "constructor.prototype" properties',
        );
      }
      throw invalid('The body is not valid JSON.', 'must be valid JSON');
    }
    await yieldToEventLoop();
    await next();
  };
};
