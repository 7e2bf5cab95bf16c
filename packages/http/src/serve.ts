import type { FastifyInstance } from 'fastify';
import { stopTracing } from '@boxoffice/tracing';

export interface Startable {
  app: FastifyInstance;
  host: string;
  port: number;
}

/**
 * Starts a service: builds it (config included, so a bad variable is reported here), listens, and closes
 * cleanly on SIGTERM/SIGINT (in-flight requests finish, plugins' onClose hooks run, buffered spans are sent). A failure to start prints
 * one clear line and exits non-zero.
 */
export async function serve(name: string, build: () => Promise<Startable>): Promise<void> {
  let app: FastifyInstance;
  try {
    const built = await build();
    app = built.app;
    await app.listen({ host: built.host, port: built.port });
  } catch (error) {
    console.error(`${name}: failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, `${name}: shutting down`);
    const timer = setTimeout(() => {
      console.error(`${name}: shutdown took longer than 10 s; exiting`);
      process.exit(1);
    }, 10_000);
    timer.unref();
    try {
      await app.close();
      await stopTracing(); // the spans of the last requests, still buffered
      process.exit(0);
    } catch (error) {
      console.error(`${name}: error while shutting down: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));
}
