-- The Justice Data Lab's requests. Same portable types as the platform's schema. The
-- individual-level cohort is never in the database: it is a ciphertext file
-- under the data directory, and the key that opens it is a row of
-- datalab_keys, so deleting that row and the file destroys it.

CREATE TABLE datalab_requests (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    submitted_by TEXT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,
    intervention TEXT NOT NULL,
    collection TEXT NOT NULL,
    excluded_incomplete BIGINT NOT NULL,
    date_order TEXT,
    -- Intake's counts and rule tallies as JSON: aggregates only, never a
    -- cell of the file.
    intake_summary TEXT NOT NULL,
    rows_usable BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Lifecycle dates (YYYY-MM-DD) and instants.
    issued_at BIGINT,
    review_ends TEXT,
    failed_at BIGINT,
    destroy_after TEXT,
    destroyed_at BIGINT,
    -- For the lab: the stage and the full reason a run stopped.
    failure_stage TEXT,
    failure_reason TEXT,
    -- For the provider: a reason safe to show outside the lab.
    provider_reason TEXT,
    -- The aggregate report's files exist once the run has produced them.
    has_report BIGINT NOT NULL DEFAULT 0,
    report_summary TEXT
);
CREATE INDEX datalab_requests_by_org ON datalab_requests (organisation_id, created_at);
CREATE INDEX datalab_requests_by_status ON datalab_requests (status, created_at);

CREATE TABLE datalab_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES datalab_requests(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX datalab_events_by_request ON datalab_events (request_id, at);

-- One data key per request, wrapped under the service's master key. The
-- fingerprint (a hash of the key) outlives it on the destruction
-- certificate.
CREATE TABLE datalab_keys (
    request_id TEXT PRIMARY KEY REFERENCES datalab_requests(id),
    wrapped_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    ciphertext_sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE datalab_questions (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES datalab_requests(id),
    asked_at BIGINT NOT NULL,
    asked_by TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT,
    answered_at BIGINT,
    answered_by TEXT
);
CREATE INDEX datalab_questions_by_request ON datalab_questions (request_id, asked_at);

-- Destruction certificates: what was destroyed, when, by whom, under which
-- rule. Kept for good.
CREATE TABLE datalab_certificates (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE REFERENCES datalab_requests(id),
    reference TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    destroyed_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    key_fingerprint TEXT NOT NULL,
    ciphertext_sha256 TEXT NOT NULL,
    rule TEXT NOT NULL,
    due_date TEXT NOT NULL
);

-- The register of released cohorts for differencing protection: the
-- pseudonymous linkage keys of each issued request's people. Lab-only; the
-- one individual-level trace kept after destruction (see the privacy
-- notice).
CREATE TABLE datalab_released_people (
    request_id TEXT NOT NULL REFERENCES datalab_requests(id),
    organisation_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    PRIMARY KEY (request_id, person_key)
);
