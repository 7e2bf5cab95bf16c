/**
 * Topic names (without the deployment's prefix). One topic per aggregate type, keyed by aggregate id, so one
 * aggregate's events stay in order within a partition. A topic is published only while something consumes it (or
 * a planned issue will): docs/decisions.md §11.
 */
export const TOPICS = {
  users: 'user.users',
  queueTokens: 'queue.tokens',
  /** Waiting rooms (settings and state), keyed by room id. */
  queueRooms: 'queue.rooms',
  payments: 'payment.payments',
  /** Shopping orders (the order saga), keyed by order id. */
  orders: 'payment.orders',
  /** Stock locks of shopping orders, keyed by order id. */
  stockLocks: 'item.stock-locks',
  items: 'item.items',
  /** Item detail views, keyed by the viewer's user id so one user's views stay in order. */
  itemViews: 'item.views',
  alarms: 'alarm.alarms',
  /** Tickets (holds and sales) and refused sales, keyed by ticket id. */
  tickets: 'ticket.tickets',
} as const;
