import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout. Tests pass level "silent". */
export const createLogger = (level: string): Logger =>
  pino({ level, base: { service: 'sessions' }, timestamp: pino.stdTimeFunctions.isoTime });
