import { Type } from '@sinclair/typebox';
import { AppError } from '@boxoffice/errors';
import { ErrorBody, type App } from '@boxoffice/http';
import { signatureValid } from '../domain/gateway-signature';
import { settleCardCharge } from '../domain/settle-card-charge.use-case';
import type { CardGateway } from '../domain/card-gateway';
import { GatewayCallbackBody } from '../schemas/order.schemas';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

/**
 * The card gateway's settlement callback. The HMAC is over the exact bytes received, so this route (and only
 * this one: the plugin is encapsulated) keeps the raw body. A bad or stale signature is refused with 401.
 */
export async function gatewayCallbackRoutes(
  app: App,
  options: { secret: string; gateway: CardGateway },
): Promise<void> {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      (error as { statusCode?: number }).statusCode = 400;
      done(error as Error, undefined);
    }
  });

  app.post(
    '/api/payment/callback',
    {
      preValidation: async (request) => {
        const signature = request.headers['x-gateway-signature'];
        if (
          !signatureValid(options.secret, request.rawBody ?? '', typeof signature === 'string' ? signature : undefined)
        ) {
          throw new AppError(401, 'BAD_SIGNATURE', 'The callback signature is missing, wrong or too old.');
        }
      },
      schema: {
        summary: 'Card gateway settlement (signed)',
        hide: true,
        body: GatewayCallbackBody,
        response: { 200: Type.Object({ received: Type.Boolean() }), 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      await settleCardCharge(app.pg, options.gateway, {
        reference: request.body.reference,
        status: request.body.status,
        declineCode: request.body.declineCode,
      });
      return { received: true };
    },
  );
}
