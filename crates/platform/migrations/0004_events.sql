-- Events one system tells the others, written on the transaction of the
-- change they report; each subscriber leaves a receipt on the transaction
-- that acts on one, so an event is acted on once per subscriber however
-- many instances poll.
CREATE TABLE platform_events (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX platform_events_by_topic ON platform_events (topic, at);

CREATE TABLE event_receipts (
    subscriber TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (subscriber, event_id)
);
