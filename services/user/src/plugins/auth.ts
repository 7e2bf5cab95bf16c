import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '@boxoffice/errors';
import { findByAccessToken } from '../db/users.repo';
import type { Caller } from '../domain/user';

declare module 'fastify' {
  interface FastifyRequest {
    user: Caller;
  }
  interface FastifyInstance {
    /** preHandler: resolves USER-TOKEN to the caller, or answers 401. */
    requireUser(request: FastifyRequest): Promise<void>;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user service owns the users, so it resolves tokens from its own table (other services use a replica). */
export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('user', null as unknown as Caller);
    app.decorate('requireUser', async (request: FastifyRequest) => {
      const token = request.headers['user-token'];
      if (typeof token !== 'string' || !UUID.test(token)) throw unauthorized();
      const user = await findByAccessToken(app.pg, token.toLowerCase());
      if (!user) throw unauthorized('The USER-TOKEN is not known.');
      request.user = user;
    });
  },
  { name: 'auth', dependencies: ['postgres'] },
);
