-- Freedom of Information requests. Dates a person gives or the clock
-- counts are TEXT YYYY-MM-DD; moments are BIGINT Unix seconds.

-- Business units that answer requests, and which responders belong to
-- each.
CREATE TABLE foi_units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE foi_unit_members (
    unit_id TEXT NOT NULL REFERENCES foi_units(id),
    account_id TEXT NOT NULL,
    PRIMARY KEY (unit_id, account_id)
);

-- The last case number given on each day ("250307" -> 12).
CREATE TABLE foi_numbers (
    day TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- One case: a request, an internal review of one, an appeal to the
-- Information Commissioner, or a request the Commissioner's decision
-- reopened. `parent_id` links a review or appeal to its case.
-- The requester's name and addresses are emptied at retention; the rest
-- stays for the statistics and the disclosure log.
CREATE TABLE foi_cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES foi_cases(id),
    status TEXT NOT NULL,
    route TEXT NOT NULL,
    subject TEXT NOT NULL,
    request TEXT NOT NULL,
    requester_name TEXT,
    requester_email TEXT,
    requester_address TEXT,
    requester_type TEXT NOT NULL,
    delivery TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    clarification_asked_on TEXT,
    clarified_on TEXT,
    fee_notice_on TEXT,
    fee_paid_on TEXT,
    extension_days BIGINT NOT NULL,
    extension_reason TEXT,
    due_on TEXT,
    statutory_on TEXT,
    draft_due_on TEXT,
    escalation_on TEXT,
    unit_id TEXT REFERENCES foi_units(id),
    responder_id TEXT,
    outcome TEXT,
    reason TEXT,
    ncnd BIGINT NOT NULL,
    held_text TEXT,
    explanation TEXT,
    advice TEXT,
    review_outcome TEXT,
    exceptional_reason TEXT,
    ico_reference TEXT,
    ico_officer TEXT,
    ico_decision_on TEXT,
    ico_outcome TEXT,
    sent_on TEXT,
    late BIGINT,
    published BIGINT NOT NULL,
    token TEXT UNIQUE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    anonymised_at BIGINT
);
CREATE INDEX foi_cases_by_status ON foi_cases (status, due_on);
CREATE INDEX foi_cases_by_unit ON foi_cases (unit_id, status);
CREATE INDEX foi_cases_by_parent ON foi_cases (parent_id);
CREATE INDEX foi_cases_by_received ON foi_cases (received_on);
CREATE INDEX foi_cases_by_email ON foi_cases (requester_email);
CREATE INDEX foi_cases_published ON foi_cases (published, sent_on);

-- Every transition and clock event, who and when.
CREATE TABLE foi_case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES foi_cases(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX foi_case_events_by_case ON foi_case_events (case_id, at);

-- Each exemption applied, with why it applies and, for a qualified one,
-- the balance of the public interest.
CREATE TABLE foi_exemptions (
    case_id TEXT NOT NULL REFERENCES foi_cases(id),
    code TEXT NOT NULL,
    explanation TEXT NOT NULL,
    balance TEXT,
    PRIMARY KEY (case_id, code)
);

-- The public interest factors: `side` is 'for' (disclosure) or
-- 'against'; one row a factor, in the letter's order.
CREATE TABLE foi_factors (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES foi_cases(id),
    code TEXT NOT NULL,
    side TEXT NOT NULL,
    position BIGINT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX foi_factors_by_case ON foi_factors (case_id, code, side, position);

-- A section 12 estimate: minutes of each activity.
CREATE TABLE foi_costs (
    case_id TEXT NOT NULL REFERENCES foi_cases(id),
    activity TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (case_id, activity)
);

-- Requests a s.12 estimate is aggregated with: the same requester's
-- requests for similar information within 60 working days (the Fees
-- Regulations, reg. 5), chosen by the responder.
CREATE TABLE foi_aggregated (
    case_id TEXT NOT NULL REFERENCES foi_cases(id),
    other_id TEXT NOT NULL REFERENCES foi_cases(id),
    PRIMARY KEY (case_id, other_id)
);

-- Files released with a response: a PDF as redacted (the original is
-- not kept once redacted), or a figures table another system released;
-- `content` is base64 (the portable schema has no binary type both
-- backends read alike through sqlx's Any driver).
CREATE TABLE foi_attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES foi_cases(id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content TEXT NOT NULL,
    redactions BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX foi_attachments_by_case ON foi_attachments (case_id);
