-- One schema for SQLite and PostgreSQL. Portable types only: TEXT, BIGINT;
-- dates are ISO text (YYYY-MM-DD, which sorts as dates), instants are Unix
-- seconds, flags are 0/1. Keys are made by the application, so no
-- AUTOINCREMENT/SERIAL difference arises.

-- The prison registry: every establishment the platform serves.
CREATE TABLE establishments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    enabled BIGINT NOT NULL DEFAULT 1
);

-- Organisations that work with the platform from outside (a Data Lab
-- provider, for one): a scope role grants can name.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    verified_at BIGINT,
    verify_token_hash TEXT,
    -- When the confirmation link was sent: links expire, and an account
    -- never confirmed is deleted, so nobody can hold an address they do
    -- not own.
    verify_sent_at BIGINT,
    created_at BIGINT NOT NULL
);

-- Role grants: (system, role, scope). A scope is national, an
-- establishment of the registry or an organisation; one account may hold
-- several grants.
CREATE TABLE role_grants (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    system TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, system, role, scope_kind, scope_id)
);
CREATE INDEX role_grants_by_role ON role_grants (role);

-- Sessions are keyed by a hash of the cookie's token: a copy of this table
-- cannot be used to sign in as anyone.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    -- Whose session it is, so that changing a password can end the
    -- account's other sessions on every instance.
    account_id TEXT,
    data TEXT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_account ON web_sessions (account_id);
CREATE INDEX web_sessions_by_seen ON web_sessions (last_seen);

-- Counters for throttling (failed sign-ins per account and address,
-- emails per address, requests per account), shared by every instance.
-- A counter is reserved before the work it guards, in one statement, so
-- that attempts sent at once are counted at once.
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);

-- Which instance runs a scheduled job this interval (see jobs.rs).
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until BIGINT NOT NULL
);

-- Password reset links: stored as a hash, single use, expiring.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    -- The record the message is about (a system deletes its messages
    -- with the record); NULL for account messages.
    about TEXT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    failed BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    -- An instance's claim on the message while it talks to the relay;
    -- another instance skips it until the claim runs out.
    claimed_until BIGINT
);
CREATE INDEX outbox_due ON outbox (sent_at, failed, next_attempt_at);

-- Who did what to which record. Never holds personal data itself: subjects
-- are record keys, details are descriptions of the action.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_at ON audit_log (at);
