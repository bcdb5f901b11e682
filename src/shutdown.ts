/**
 * SIGTERM/SIGINT handling shared by the long-running processes (the API and the projector):
 * the first signal runs `stop` and exits 0 when it completes (1 when it fails); a second signal
 * exits at once.
 */
export const exitOnShutdownSignals = (stopping: string, stop: () => Promise<unknown>): void => {
  let signals = 0;
  const shutdown = (signal: string): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    process.stderr.write(`${signal} received: ${stopping}\n`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
};
