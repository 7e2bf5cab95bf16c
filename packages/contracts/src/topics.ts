/**
 * Topic names (without the deployment's prefix). One topic per aggregate type, keyed by aggregate id, so one
 * aggregate's events stay in order within a partition.
 */
export const TOPICS = {
  users: 'user.users',
  queueTokens: 'queue.tokens',
  payments: 'payment.payments',
  /** Shopping orders (the order saga), keyed by order id. */
  orders: 'payment.orders',
  /** Stock locks of shopping orders, keyed by order id. */
  stockLocks: 'item.stock-locks',
  items: 'item.items',
  /** Item detail views, keyed by the viewer's user id so one user's views stay in order. */
  itemViews: 'item.views',
  alarms: 'alarm.alarms',
  /** Notifications the alarm service sent, keyed by notification id. */
  notifications: 'alarm.notifications',
  concerts: 'ticket.concerts',
  showtimes: 'ticket.showtimes',
  seats: 'ticket.seats',
  tickets: 'ticket.tickets',
  gaEvents: 'ticket.events',
  reservations: 'ticket.reservations',
} as const;
