-- The live call: each call's timeline of events, which staff read in full
-- and families in part (joined, left, paused and why, resumed, ended).
CREATE TABLE call_timeline (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    -- Whether the family sees it too.
    shared BIGINT NOT NULL
);
CREATE INDEX call_timeline_by_call ON call_timeline (call_id, at);

-- Where a live call stands, apart from its booking: open, paused or ended
-- (the ROOM workflow in workflow.rs), keyed by the call's id.
CREATE TABLE call_rooms (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    -- Why it is paused or ended, in words for both sides.
    reason TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Minutes lost to the system's own faults (a pause raised in error, a
    -- restart) and given back to the prisoner's allowance.
    refunded_minutes BIGINT NOT NULL DEFAULT 0,
    -- When a restart cut the call off, until someone reconnects.
    interrupted_at BIGINT,
    -- The media server node that holds the room (call_nodes), from the
    -- first join: every side of a call meets on one node.
    node TEXT
);

-- The media server nodes: each instance of the service runs one, and says
-- it is alive every second or so; a room whose node has gone silent moves
-- to the node its callers reconnect through.
CREATE TABLE call_nodes (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);

CREATE TABLE call_room_events (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX call_room_events_by_room ON call_room_events (room_id);
