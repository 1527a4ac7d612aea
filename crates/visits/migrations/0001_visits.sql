-- Visit someone in prison. Same portable types as the platform's schema.

-- What visits need of each establishment in the platform's registry.
CREATE TABLE visit_settings (
    establishment_id TEXT PRIMARY KEY REFERENCES establishments(id),
    booking_window_days BIGINT NOT NULL DEFAULT 28,
    min_notice_working_days BIGINT NOT NULL DEFAULT 3
);

-- Recurring visiting sessions: weekday 1 = Monday ... 7 = Sunday.
CREATE TABLE session_templates (
    id TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    weekday BIGINT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    open_capacity BIGINT NOT NULL,
    closed_capacity BIGINT NOT NULL
);

CREATE TABLE one_off_sessions (
    id TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    open_capacity BIGINT NOT NULL,
    closed_capacity BIGINT NOT NULL
);

CREATE TABLE blocked_dates (
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    date TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (establishment_id, date)
);

-- A dated session's places. Rows appear when a session is first requested;
-- the counters only move through conditional updates, and the checks make
-- overbooking impossible even if a query were wrong.
CREATE TABLE slots (
    id TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    open_capacity BIGINT NOT NULL,
    closed_capacity BIGINT NOT NULL,
    open_booked BIGINT NOT NULL DEFAULT 0,
    closed_booked BIGINT NOT NULL DEFAULT 0,
    CHECK (open_booked >= 0 AND open_booked <= open_capacity),
    CHECK (closed_booked >= 0 AND closed_booked <= closed_capacity)
);
CREATE INDEX slots_by_date ON slots (establishment_id, date);

CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    account_id TEXT,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    status TEXT NOT NULL,
    lead_name TEXT NOT NULL,
    lead_dob TEXT NOT NULL,
    lead_email TEXT NOT NULL,
    lead_phone TEXT NOT NULL,
    prisoner_name TEXT NOT NULL,
    prisoner_dob TEXT NOT NULL,
    prisoner_number TEXT NOT NULL,
    support_needs TEXT NOT NULL,
    pref1 TEXT NOT NULL,
    pref2 TEXT,
    pref3 TEXT,
    -- The date retention counts from: the latest preferred date until a
    -- session is allocated, then the visit's own date.
    visit_date TEXT NOT NULL,
    allocated_slot TEXT,
    visit_kind TEXT,
    reason TEXT,
    reason_detail TEXT,
    banned_until TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX visits_queue ON visits (establishment_id, status, created_at);
CREATE INDEX visits_by_account ON visits (account_id);
CREATE INDEX visits_by_date ON visits (visit_date);

CREATE TABLE visit_visitors (
    visit_id TEXT NOT NULL REFERENCES visits(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    PRIMARY KEY (visit_id, position)
);

CREATE TABLE visit_events (
    id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL REFERENCES visits(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX visit_events_by_visit ON visit_events (visit_id);

