import type { AddressInfo } from 'node:net';
import type { App } from '@boxoffice/http';
import { testEnv, uniqueSuffix } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

/**
 * A gateway on the real Redis and Kafka (topics of its own) in front of the upstreams a test names, with the
 * test's settings over the defaults: `buildTestGateway({ TICKET_SERVICE_URLS: url, RATE_LIMIT_MAX: '5' })`.
 */
export const buildTestGateway = (env: Record<string, string>): Promise<App> =>
  buildApp(readConfig({ ...testEnv('gateway'), KAFKA_TOPIC_PREFIX: `t${uniqueSuffix()}.`, ...env }));

/** Where an app listening on 127.0.0.1 answers. */
export const urlOf = (app: { server: { address(): unknown } }): string =>
  `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
