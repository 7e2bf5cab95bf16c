import type { AddressInfo } from 'node:net';
import type { App } from '@boxoffice/http';
import { dropDatabase, testEnv, uniqueSuffix } from '@boxoffice/testing';
import { buildApp as buildUserService } from '../../../user/src/app';
import { readConfig as readUserConfig } from '../../../user/src/config';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

/**
 * A gateway on the real Redis and Kafka (topics of its own) in front of the upstreams a test names, with the
 * test's settings over the defaults: `buildTestGateway({ TICKET_SERVICE_URLS: url, RATE_LIMIT_MAX: '5' })`.
 */
export const buildTestGateway = (env: Record<string, string>): Promise<App> =>
  buildApp(readConfig({ ...testEnv('gateway'), KAFKA_TOPIC_PREFIX: `t${uniqueSuffix()}.`, ...env }));

/** Limits no test of the pass-through reaches: the gateway then never answers 429 for its own reasons. */
export const NO_RATE_LIMIT = { RATE_LIMIT_MAX: '100000', RATE_LIMIT_IP_MAX: '100000' };

/** Where an app listening on 127.0.0.1 answers. */
export const urlOf = (app: { server: { address(): unknown } }): string =>
  `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/** The real user service listening on 127.0.0.1, on a database of its own that `close` drops. */
export async function startUserService(env: Record<string, string> = {}) {
  const userEnv = testEnv('user', env);
  const app = await buildUserService(readUserConfig(userEnv));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: urlOf(app),
    async close() {
      await app.close();
      await dropDatabase(userEnv.DATABASE_URL!);
    },
  };
}
