/** Production profile (KurrentDB events, MongoDB read models): wired in by the production-profile work. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Stores } from './open.js';

export const openProductionStores = async (config: Config, _logger: Logger): Promise<Stores> => {
  throw new Error(`EVENT_STORE=${config.eventStore} READ_STORE=${config.readStore} is not available in this build`);
};
