import { errorResponses, routeGroup, type App } from '@boxoffice/http';
import { notFound } from '@boxoffice/errors';
import { UserChanged } from '@boxoffice/contracts';
import { snapshotRoute } from '@boxoffice/replica';
import { findById, findUsersAfter, listUsers } from '../db/users.repo';
import { login } from '../domain/login.use-case';
import { registerUser } from '../domain/register-user.use-case';
import { userChangedPayload, viewOf } from '../domain/user';
import { recentlyViewed, type VisitSources } from '../domain/visits';
import {
  LoginBody,
  Me,
  RecentItems,
  RegisterBody,
  UserIdParams,
  UserList,
  UserListEntry,
  UserWithToken,
} from '../schemas/user.schemas';

const errors = [401, 404, 409, 422] as const;

export async function usersRoutes(app: App, options: { visits: VisitSources }): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security: [{ userToken: [] }], errors });

  // peers rebuilding a users replica after their topic's retention (decision 27); the internal token guards it
  snapshotRoute(app, {
    contract: UserChanged, // at /internal/snapshot/users
    async page(db, after, limit) {
      const users = await findUsersAfter(db, after === undefined ? 0 : Number(after), limit);
      const rows = users.map((user) => ({ ...userChangedPayload(user), revision: user.revision }));
      return { rows, next: users.length === limit ? String(users.at(-1)!.id) : null };
    },
  });

  app.get(
    '/',
    asUser('All users, id descending; access tokens only on your own row (all of them for an admin)', {
      response: { 200: UserList },
    }),
    async (request) => {
      const users = await listUsers(app.pg);
      return { count: users.length, payload: users.map((user) => viewOf(user, request.user)) };
    },
  );

  app.get(
    '/visit',
    asUser("The caller's recently viewed items, newest first, at most 3; consecutive views of one item count once", {
      response: { 200: RecentItems },
    }),
    async (request, reply) => {
      const { payload, stale } = await recentlyViewed(options.visits, {
        id: request.user.id,
        token: String(request.headers['user-token']),
      });
      if (stale) reply.header('x-data-stale', 'true');
      return { count: payload.length, payload };
    },
  );

  app.get(
    '/users/me',
    asUser('Who this USER-TOKEN belongs to (used by other services while their replica catches up)', {
      response: { 200: Me },
    }),
    async (request) => ({ id: request.user.id, name: request.user.name, role: request.user.role }),
  );

  app.get(
    '/users/:id',
    asUser('One user', { params: UserIdParams, response: { 200: UserListEntry } }),
    async (request) => {
      const user = await findById(app.pg, request.params.id);
      if (!user) throw notFound(`User with id: ${request.params.id} doesn't exist.`);
      return viewOf(user, request.user);
    },
  );

  app.post(
    '/users',
    {
      schema: {
        summary: 'Register; answers with the new access token',
        body: RegisterBody,
        response: { 201: UserWithToken, ...errorResponses(...errors) },
      },
    },
    async (request, reply) => {
      const user = await registerUser(app.pg, request.body);
      reply.code(201).header('location', `/users/${user.id}`);
      return { id: user.id, name: user.name, access_token: user.accessToken };
    },
  );

  app.post(
    '/login',
    {
      schema: {
        summary: 'Exchange login id and password for the access token',
        body: LoginBody,
        response: { 200: UserWithToken, ...errorResponses(...errors) },
      },
    },
    async (request) => {
      const user = await login(app.pg, request.body.login_id, request.body.password);
      return { id: user.id, name: user.name, access_token: user.accessToken };
    },
  );
}
