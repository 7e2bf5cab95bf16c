import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { EventContract, EventEnvelope } from '@boxoffice/contracts';
import type { PoolClient, Queryable } from '@boxoffice/db';
import { applyManyToReplica, applyToReplica } from '@boxoffice/events';

/** A row as the replica holds it: the stored fields of the owner's state, and the revision it is at. */
export type Revisioned<Row> = Row & { revision: number };

/** Equality on each given field; an array means "any of these". */
export type Where<Row> = { [K in keyof Row]?: Row[K] | readonly Row[K][] };

/**
 * One repository shape for every replica: a table holding the latest state of each aggregate an owner publishes
 * (`contract`), one snake_case column per stored payload field, plus `revision`.
 */
export interface ReplicaTable<Row extends object, S extends TSchema = TSchema> {
  readonly contract: EventContract<S>;
  readonly name: string;
  /** The consumer handler: the event's state applied at its revision (`.on(table.contract, table.applyEvent)`). */
  applyEvent(event: EventEnvelope<Static<S>>, db: PoolClient): Promise<void>;
  /** The batch handler: many events' states in one statement (`.onBatch(table.contract, table.applyEvents)`). */
  applyEvents(events: EventEnvelope<Static<S>>[], db: PoolClient): Promise<void>;
  /** Applies a state; an older or equal revision than the stored one changes nothing. True when it changed the row. */
  apply(db: Queryable, state: Row, revision: number): Promise<boolean>;
  /** Rows matching every given field; columns come back as pg reads them (so timestamptz as Date). */
  select(db: Queryable, where: Where<Row>): Promise<Revisioned<Row>[]>;
}

type Field<S extends TObject> = Extract<keyof Static<S>, string>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const columnOf = (field: string): string => {
  const column = field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  if (!IDENTIFIER.test(column)) throw new Error(`Not a safe SQL identifier: ${column}`);
  return column;
};

/**
 * Describes a replica table of `contract`'s aggregates. `key` is the table's primary key (one field or several);
 * `fields` the payload fields it stores (default: all of them), e.g. `replicaTable(ItemChanged, { table:
 * 'items_replica', key: 'id' })` for `items_replica (id, name, …, deleted, revision)`.
 */
export function replicaTable<S extends TObject, K extends Field<S>, F extends Field<S> = Field<S>>(
  contract: EventContract<S>,
  options: { table: string; key: K | K[]; fields?: F[] },
): ReplicaTable<Pick<Static<S>, K | F>, S> {
  type Row = Pick<Static<S>, K | F>;
  const table = columnOf(options.table);
  const keys = (Array.isArray(options.key) ? options.key : [options.key]).map(columnOf);
  const fields: string[] = options.fields ? [...new Set([...[options.key].flat(), ...options.fields])] : [];
  const stored = fields.length > 0 ? fields : Object.keys(contract.payload.properties);
  const columns = stored.map((field) => [field, columnOf(field)] as const);
  const selectList = [...columns.map(([field, column]) => `${column} AS "${field}"`), 'revision'].join(', ');

  const rowOf = (state: Row) => {
    const values = state as Record<string, unknown>;
    // an array goes to a jsonb column as JSON (node-postgres would send it as a PostgreSQL array literal)
    return Object.fromEntries(
      columns.map(([field, column]) => [
        column,
        Array.isArray(values[field]) ? JSON.stringify(values[field]) : values[field],
      ]),
    );
  };
  const apply = (db: Queryable, state: Row, revision: number): Promise<boolean> =>
    applyToReplica(db, table, keys, rowOf(state), revision);
  return {
    contract,
    name: table,
    apply,
    applyEvent: async (event, db) => void (await apply(db, event.payload, event.aggregateVersion)),
    applyEvents: async (events, db) =>
      void (await applyManyToReplica(
        db,
        table,
        keys,
        events.map((event) => ({ row: rowOf(event.payload), revision: event.aggregateVersion })),
      )),
    async select(db, where) {
      const values: unknown[] = [];
      const conditions = Object.entries(where as Record<string, unknown>).map(([field, value]) => {
        values.push(value);
        return Array.isArray(value)
          ? `${columnOf(field)} = ANY($${values.length})`
          : `${columnOf(field)} = $${values.length}`;
      });
      const { rows } = await db.query<Revisioned<Row>>(
        `SELECT ${selectList} FROM ${table}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
        values,
      );
      return rows;
    },
  };
}
