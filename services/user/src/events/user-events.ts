import { UserChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import { userChangedPayload, type User } from '../domain/user';

/** Every change to a user is published as its new state; call it in the transaction that made the change. */
export function publishUserChanged(db: Queryable, user: User) {
  return appendEvent(db, 'user', UserChanged, {
    aggregateId: user.id,
    aggregateVersion: user.revision,
    payload: userChangedPayload(user),
  });
}
