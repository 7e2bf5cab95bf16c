-- The trace context of the transaction that wrote the row (W3C traceparent/tracestate as a JSON object), so the
-- relay publishes the event as a child of the request or event that caused it. NULL while tracing is off.
ALTER TABLE outbox ADD COLUMN trace_context jsonb;
