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

/**
 * Topics that hold nothing but the latest states of their entities (`*.changed`, keyed by the entity's id): they are
 * log-compacted (docs/decisions.md §27), so a replica built from offset 0 finds every entity's last state however
 * old. The others (facts such as `payment.completed`, `item.viewed`, or topics that mix facts with states, such as
 * `ticket.tickets`) keep the broker's time-based retention.
 */
export const STATE_TOPICS: readonly string[] = [
  TOPICS.users,
  TOPICS.queueTokens,
  TOPICS.queueRooms,
  TOPICS.orders,
  TOPICS.stockLocks,
  TOPICS.items,
  TOPICS.alarms,
];
