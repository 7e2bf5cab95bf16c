import { Type } from '@sinclair/typebox';
import { Uuid as CanonicalUuid } from '@boxoffice/http';

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Same key + same body replays the first answer' }),
  ),
});

export const Uuid = CanonicalUuid();
