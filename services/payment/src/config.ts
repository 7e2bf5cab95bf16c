import { Type, type Static } from '@sinclair/typebox';
import { Secret, commonEnv, internalTokenEnv, loadConfig, peerUrl } from '@boxoffice/config';

export const PaymentConfigSchema = Type.Object({
  ...commonEnv('payment', 8003),
  USER_SERVICE_URL: peerUrl('user'),
  QUEUE_SERVICE_URL: peerUrl('queue'),
  TICKET_SERVICE_URL: peerUrl('ticket'),
  ITEM_SERVICE_URL: peerUrl('item'),
  // presented to the ticket service's /internal routes
  ...internalTokenEnv(),
  /** How long one call to the ticket service may take before its outcome counts as unknown. */
  TICKET_CALL_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 2_000 }),
  /** How long the breaker to the ticket service stays open before it lets one trial call through. */
  TICKET_BREAKER_RESET_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }),
  /** How often the reconciler looks for PENDING payments whose confirm outcome is unknown. */
  RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 20, maximum: 60_000, default: 1_000 }),
  /** How long a claimed PENDING payment is left to its claimer (request or reconciler) before another retries it. */
  RECONCILE_LEASE_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 15_000 }),
  /** Longest wait between two confirm attempts of one PENDING payment. */
  RECONCILE_MAX_BACKOFF_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 30_000 }),
  /** An order not paid this long after its creation is cancelled and its stock released (SPEC §6: 15 min). */
  ORDER_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 900 }),
  /** How often the expiry job looks for overdue orders. */
  ORDER_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 20, maximum: 60_000, default: 1_000 }),
  /** HMAC secret the simulated card gateway signs its settlement callbacks with. */
  CARD_GATEWAY_SECRET: Secret('dev-card-gateway-secret-change-me', 'signs the card gateway callbacks'),
  /** Delay between a card authorization and its settlement callback. */
  CARD_SETTLE_DELAY_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 2_000 }),
  /**
   * A card charge whose settlement has not arrived this long after its authorization is given up (issue 19 item
   * 7): the order is cancelled (CARD_SETTLEMENT_TIMEOUT), its stock released and the charge voided.
   */
  CARD_SETTLEMENT_DEADLINE_SECONDS: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 600 }),
  /** How often the simulated gateway delivers due settlements. */
  CARD_GATEWAY_INTERVAL_MS: Type.Integer({ minimum: 20, maximum: 60_000, default: 250 }),
  /** Where the gateway posts settlements; empty: this instance's own listening address. */
  CARD_GATEWAY_CALLBACK_URL: Type.String({ default: '' }),
  /** Keys the hash of Idempotency-Key request bodies, so a stored hash reveals nothing about a card number. */
  IDEMPOTENCY_HASH_SECRET: Secret('dev-idempotency-secret-change-me', 'keys the hash of Idempotency-Key bodies'),
  /** Background jobs (reconciler, order expiry, gateway) run in this instance; several instances are safe. */
  BACKGROUND_JOBS: Type.Boolean({ default: true }),
});
export type PaymentConfig = Static<typeof PaymentConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): PaymentConfig => loadConfig(PaymentConfigSchema, env);
