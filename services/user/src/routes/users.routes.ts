import type { App } from '@boxoffice/http';
import { ErrorBody } from '@boxoffice/http';
import { notFound } from '@boxoffice/errors';
import { findById, listUsers } from '../db/users.repo';
import { login } from '../domain/login.use-case';
import { registerUser } from '../domain/register-user.use-case';
import { viewOf } from '../domain/user';
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

const errors = { 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };

export async function usersRoutes(app: App, options: { visits: VisitSources }): Promise<void> {
  app.get(
    '/',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'All users, id descending; access tokens only on your own row (all of them for an admin)',
        security: [{ userToken: [] }],
        response: { 200: UserList, ...errors },
      },
    },
    async (request) => {
      const users = await listUsers(app.pg);
      return { count: users.length, payload: users.map((user) => viewOf(user, request.user)) };
    },
  );

  app.get(
    '/visit',
    {
      preHandler: app.requireUser,
      schema: {
        summary:
          "The caller's recently viewed items, newest first, at most 3; consecutive views of one item count once",
        security: [{ userToken: [] }],
        response: { 200: RecentItems, ...errors },
      },
    },
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
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Who this USER-TOKEN belongs to (used by other services while their replica catches up)',
        security: [{ userToken: [] }],
        response: { 200: Me, ...errors },
      },
    },
    async (request) => ({ id: request.user.id, name: request.user.name, role: request.user.role }),
  );

  app.get(
    '/users/:id',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'One user',
        security: [{ userToken: [] }],
        params: UserIdParams,
        response: { 200: UserListEntry, ...errors },
      },
    },
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
        response: { 201: UserWithToken, ...errors },
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
        response: { 200: UserWithToken, ...errors },
      },
    },
    async (request) => {
      const user = await login(app.pg, request.body.login_id, request.body.password);
      return { id: user.id, name: user.name, access_token: user.accessToken };
    },
  );
}
