import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserChanged } from '@boxoffice/contracts';
import { coalesced, withMigrations } from '@boxoffice/db';
import { forbidden, unauthorized } from '@boxoffice/errors';
import { replicaTable } from '@boxoffice/replica';
import { metricsOf, ResilientClient } from '@boxoffice/resilience';
import { USER_AUTH_MIGRATIONS } from './migrations';

export interface AuthenticatedUser {
  id: number;
  name: string;
  role: 'user' | 'admin';
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser;
  }
  interface FastifyInstance {
    /** preHandler: USER-TOKEN → request.user, or 401. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** preHandler: like requireUser, then 403 unless the caller is an admin. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Resolves a USER-TOKEN value; undefined when it belongs to nobody. */
    resolveUserToken(token: string): Promise<AuthenticatedUser | undefined>;
  }
}

export interface UserAuthOptions {
  /** The user service, asked when the replica does not know a token yet (cold start, event in flight). */
  userServiceUrl: string;
}

/**
 * The users replica the plugin reads. The service feeds it with a consumer of its own, listed in its app.ts:
 * `app.events.consumer('<service>.users-replica', { partitionsConcurrently: 3 }).on(UserChanged,
 * usersReplica.applyEvent)` (a replica only: each event touches its own aggregate's row, so partitions may run at
 * once).
 */
export const usersReplica = replicaTable(UserChanged, { table: 'users_replica', key: 'id' });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * USER-TOKEN for services other than the user service. Tokens resolve from the local users_replica (fed by
 * user.changed events, see `usersReplica`); a token the replica does not know yet is checked with the user service
 * through a circuit breaker, and its answer cached in Redis. Needs the postgres, redis and events plugins; brings
 * the users_replica table.
 */
export const userAuthPlugin = withMigrations(
  fp<UserAuthOptions>(
    async (app, options) => {
      const userService = new ResilientClient({
        peer: 'user',
        baseUrl: options.userServiceUrl,
        redis: app.redis,
        timeoutMs: 1_000,
        cacheTtlSeconds: 600,
        logger: app.log,
        metrics: metricsOf(app),
      });
      app.addHook('onClose', async () => userService.shutdown());

      app.addHook('onReady', async () => {
        if (!app.events.consumers.some((consumer) => consumer.contracts.includes(UserChanged)))
          throw new Error(
            'user-auth reads users_replica, but no consumer of user.changed feeds it: add one in app.ts ' +
              "(app.events.consumer('<service>.users-replica').on(UserChanged, usersReplica.applyEvent))",
          );
      });

      // the requests of one round of I/O are resolved in one query: one round trip, not one per request
      const replicaUser = coalesced(async (hashes: string[]) => {
        const { rows } = await app.pg.query<AuthenticatedUser & { deleted: boolean; hash: string }>(
          'SELECT access_token_sha256 AS hash, id, name, role, deleted FROM users_replica WHERE access_token_sha256 = ANY($1)',
          [hashes],
        );
        return new Map(rows.map((row) => [row.hash, row]));
      });

      async function resolveUserToken(token: string): Promise<AuthenticatedUser | undefined> {
        const hash = sha256(token.toLowerCase());
        const row = await replicaUser(hash);
        if (row) return row.deleted ? undefined : { id: row.id, name: row.name, role: row.role };
        // Not in the replica (yet): the owner decides. A 503 from here means neither could tell.
        const answer = await userService.get<AuthenticatedUser>('/users/me', {
          headers: { 'user-token': token },
          cacheKey: `token:${hash}`,
        });
        return answer.status === 200
          ? { id: answer.body.id, name: answer.body.name, role: answer.body.role }
          : undefined;
      }

      app.decorateRequest('user', null as unknown as AuthenticatedUser);
      app.decorate('resolveUserToken', resolveUserToken);
      app.decorate('requireUser', async (request: FastifyRequest) => {
        const token = request.headers['user-token'];
        if (typeof token !== 'string' || !UUID.test(token)) throw unauthorized();
        const user = await resolveUserToken(token);
        if (!user) throw unauthorized('The USER-TOKEN is not known.');
        request.user = user;
      });
      app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
        await app.requireUser(request, reply);
        if (request.user.role !== 'admin') throw forbidden('This route is for admins only.');
      });
    },
    { name: 'user-auth', dependencies: ['postgres', 'redis', 'events'] },
  ),
  USER_AUTH_MIGRATIONS,
);
