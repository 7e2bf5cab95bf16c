-- "events" meant general-admission events, beside the outbox and inbox that hold Kafka events: in this service a
-- table, a type or a folder called events is about Kafka; general-admission events are ga_events.
ALTER TABLE events RENAME TO ga_events;
ALTER INDEX events_pkey RENAME TO ga_events_pkey;
ALTER TABLE reservations RENAME COLUMN event_id TO ga_event_id;
ALTER INDEX reservations_event_live_idx RENAME TO reservations_ga_event_live_idx;
