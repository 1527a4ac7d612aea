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

-- Where a live call stands, apart from its booking: open, paused (and by
-- whom) or ended.
CREATE TABLE call_rooms (
    call_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
