import type { FastifyReply, FastifyRequest } from 'fastify';
import { isoWithOffset, internalTokenMatches, routeGroup, type App } from '@boxoffice/http';
import { unauthorized } from '@boxoffice/errors';
import type { Courier, Sender } from '../domain/notification';
import { listNotifications, sendNotification } from '../domain/notifications.use-case';
import {
  Inbox,
  InboxQuery,
  InternalTokenHeaders,
  NotificationSent,
  SendNotificationBody,
} from '../schemas/notification.schemas';

const errors = [401, 403, 422, 503] as const;
const security = [{ userToken: [] }];

declare module 'fastify' {
  interface FastifyRequest {
    sender?: Sender;
  }
}

export async function notificationsRoutes(
  app: App,
  options: { internalToken: string; courier: Courier },
): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors });

  /** A peer presents the internal token; anyone else is a user, and the use-case decides whom they may notify. */
  const identifySender = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = request.headers['x-internal-token'];
    if (given === undefined) {
      await app.requireUser(request, reply);
      request.sender = { kind: 'user', id: request.user.id, role: request.user.role };
      return;
    }
    if (!internalTokenMatches(given, options.internalToken)) throw unauthorized('The x-internal-token is not valid.');
    request.sender = { kind: 'internal' };
  };

  const asSender = routeGroup({ preHandler: identifySender, security, errors });

  app.post(
    '/api/notification/send',
    asSender('Send a notification by email or SMS (simulated): admins and peers to anyone, a user to themselves', {
      headers: InternalTokenHeaders,
      body: SendNotificationBody,
      response: { 200: NotificationSent },
    }),
    async (request) => {
      await sendNotification(app.pg, options.courier, request.sender!, request.body);
      return { code: 200 as const, message: 'Notification sent successfully' };
    },
  );

  app.get(
    '/api/notifications',
    asUser("The caller's notifications, newest first", { querystring: InboxQuery, response: { 200: Inbox } }),
    async (request) => {
      const page = await listNotifications(app.pg, request.user.id, {
        offset: request.query.offset ?? 0,
        limit: request.query.limit ?? 100,
      });
      return {
        count: page.total,
        payload: page.notifications.map((n) => ({
          id: n.id,
          userId: n.userId,
          notificationType: n.channel,
          subject: n.subject,
          message: n.message,
          status: n.status,
          createdAt: isoWithOffset(n.createdAt),
        })),
      };
    },
  );
}
