-- Secure video calls. Same portable types as the platform's schema.

-- Each establishment's booking portal.
CREATE TABLE call_settings (
    establishment_id TEXT PRIMARY KEY REFERENCES establishments(id),
    -- 'family' (the family books) or 'prisoner' (staff enter the
    -- prisoner's request and the family confirms it).
    booking_mode TEXT NOT NULL DEFAULT 'family',
    call_minutes BIGINT NOT NULL DEFAULT 30,
    -- Calls that can run at once: the laptops or booths.
    capacity BIGINT NOT NULL DEFAULT 2,
    window_days BIGINT NOT NULL DEFAULT 28,
    min_notice_working_days BIGINT NOT NULL DEFAULT 2,
    monthly_minutes BIGINT NOT NULL DEFAULT 60,
    cancel_cutoff_hours BIGINT NOT NULL DEFAULT 24,
    updated_at BIGINT NOT NULL DEFAULT 0,
    CHECK (call_minutes IN (30, 60)),
    CHECK (capacity >= 1),
    CHECK (booking_mode IN ('family', 'prisoner'))
);

-- Weekly call times: weekday 1 = Monday ... 7 = Sunday; each row is the
-- start of one call slot of the portal's call length.
CREATE TABLE call_times (
    id TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    weekday BIGINT NOT NULL,
    start_time TEXT NOT NULL,
    UNIQUE (establishment_id, weekday, start_time)
);

-- One-off extra call times, and closed dates.
CREATE TABLE call_one_offs (
    id TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    UNIQUE (establishment_id, date, start_time)
);

CREATE TABLE call_closed (
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    date TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (establishment_id, date)
);

-- A dated slot's places: rows appear when first booked; the counter only
-- moves through conditional updates, and the check makes overbooking
-- impossible even if a query were wrong.
CREATE TABLE call_slots (
    id TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    capacity BIGINT NOT NULL,
    booked BIGINT NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity)
);

-- A family member's caller profile (one per platform account) and the
-- check of their identity. The documents are sealed with the caller's own
-- data key, itself wrapped under the service's master key; deleting the
-- wrapped key and the documents destroys them.
CREATE TABLE callers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    wrapped_key TEXT,
    id_document TEXT,
    selfie TEXT,
    descriptor TEXT,
    check_outcome TEXT,
    check_distance DOUBLE PRECISION,
    decided_by TEXT,
    decided_at BIGINT,
    decision_reason TEXT,
    documents_destroy_on TEXT,
    documents_destroyed_at BIGINT,
    submitted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE caller_events (
    id TEXT PRIMARY KEY,
    caller_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX caller_events_by_caller ON caller_events (caller_id);

-- A verified caller asks to be approved to call a prisoner; staff of the
-- prisoner's establishment decide, and an approval goes on the platform's
-- list of approved contacts.
CREATE TABLE contact_requests (
    id TEXT PRIMARY KEY,
    caller_id TEXT NOT NULL,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    prison_number TEXT NOT NULL,
    prisoner_name TEXT NOT NULL,
    relationship TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contact_requests_by_establishment ON contact_requests (establishment_id, status);

CREATE TABLE contact_request_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- A booked (or offered) call.
CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    prisoner_id TEXT NOT NULL,
    main_caller TEXT NOT NULL,
    slot_id TEXT NOT NULL,
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    month TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calls_by_day ON calls (establishment_id, date);
CREATE INDEX calls_by_caller ON calls (main_caller);
-- A prisoner is on one call at a time.
CREATE UNIQUE INDEX calls_one_at_a_time ON calls (prisoner_id, date, start_time)
    WHERE status IN ('invited', 'booked');

-- Who is on a call: approved contacts of the prisoner (a child on the list
-- has no account; every adult is a verified caller).
CREATE TABLE call_participants (
    call_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (call_id, contact_id)
);

CREATE TABLE call_events (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX call_events_by_call ON call_events (call_id);

-- Minutes of calls held against a prisoner's monthly allowance. The
-- conditional update that adds a call's minutes is what makes an
-- allowance impossible to overrun under contention.
CREATE TABLE call_allowance (
    prisoner_id TEXT NOT NULL,
    month TEXT NOT NULL,
    used_minutes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (prisoner_id, month),
    CHECK (used_minutes >= 0)
);

-- Extra minutes a governor grants, with the reason.
CREATE TABLE call_extra_allowance (
    id TEXT PRIMARY KEY,
    prisoner_id TEXT NOT NULL,
    month TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    reason TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL
);

-- Each establishment's progress to live calls, a row a stage reached.
CREATE TABLE call_rollout (
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    stage TEXT NOT NULL,
    reached_on TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (establishment_id, stage)
);
