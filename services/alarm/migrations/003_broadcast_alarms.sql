-- Items as item.changed now tells them: their product code and broadcast slots (issue 15). A user's alarm on an
-- item sends a notification a while before each slot starts; the notification's unique trigger
-- ('broadcast:<slotId>:<userId>') makes that once per slot and user, whatever the instances or restarts.
ALTER TABLE items_replica ADD COLUMN code text, ADD COLUMN broadcasts jsonb;
-- the sweep looks alarms up by item
CREATE INDEX alarms_active_item_idx ON alarms (item_id) WHERE active;
