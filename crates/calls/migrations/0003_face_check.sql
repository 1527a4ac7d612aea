-- The live face check's alerts: a call paused because a face on it was not
-- an approved caller's, with the frame's thumbnail (sealed under the calls
-- master key) for the monitoring terminal, and what staff made of it.
CREATE TABLE call_alerts (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    detail TEXT NOT NULL,
    thumbnail TEXT,
    -- 'open', then 'false_alarm' (resumed, the paused minutes given back),
    -- 'resumed' (the person had gone) or 'ended'.
    outcome TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT
);
CREATE INDEX call_alerts_by_call ON call_alerts (call_id);
