/**
 * Opens what a rebuild of the MongoDB read models needs (READ_STORE=mongodb), through the same
 * openers the service uses: the configured event log (KurrentDB or the embedded SQLite log) and
 * the MongoDB read model, with the rebuild capability of ./mongoRebuild.ts on top.
 */
import type { Config } from '../../config.js';
import type { EventStore } from '../eventStore.js';
import { openEventSide, openReadSide } from '../production.js';
import type { RebuildableReadModel } from '../readModel.js';
import { mongoRebuildable, type MongoRebuildSettings } from './mongoRebuild.js';

export const openMongoRebuild = async (
  config: Config,
  settings: Partial<MongoRebuildSettings> = {},
): Promise<{ store: { events: EventStore; readModel: RebuildableReadModel }; close(): Promise<void> }> => {
  const side = await openEventSide(config);
  try {
    const readModel = await openReadSide(config);
    return {
      store: { events: side.events, readModel: mongoRebuildable(readModel, side.events, settings) },
      close: async () => {
        await Promise.allSettled([side.events.close(), readModel.close()]);
      },
    };
  } catch (error) {
    await side.events.close().catch(() => undefined);
    throw error;
  }
};
