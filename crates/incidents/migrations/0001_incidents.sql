-- Security incidents. Types are data: each version of a type's questions
-- is a row, never deleted; a new version deactivates the old, and every
-- report keeps the version it was written against.
CREATE TABLE incident_types (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    label TEXT NOT NULL,
    active BIGINT NOT NULL,
    config TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);

-- The last reference number given in each year.
CREATE TABLE incident_sequences (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- One report. `occurred_at` is the incident's date and time (seconds,
-- UTC); `quarter` ("2025-Q1") is derived from it for the statistics.
-- `source` names the record of another system that raised it, once.
-- `version` counts saves, so that a second save made on a stale page is
-- refused rather than overwriting the first.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    type_code TEXT NOT NULL,
    type_version BIGINT NOT NULL,
    status TEXT NOT NULL,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    occurred_at BIGINT NOT NULL,
    quarter TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    reported_by_name TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    submitted_at BIGINT,
    duplicate_of TEXT,
    source TEXT UNIQUE,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    delete_after BIGINT
);
CREATE INDEX incidents_by_time ON incidents (occurred_at, id);
CREATE INDEX incidents_by_establishment ON incidents (establishment_id, occurred_at, id);
-- A security team's filter by type at its own establishment. (Not by
-- status as well: most reports are closed, and SQLite, without
-- statistics, would choose that index for a rare type and read every
-- closed report of the establishment.)
CREATE INDEX incidents_by_establishment_type ON incidents (establishment_id, type_code, occurred_at, id);
CREATE INDEX incidents_by_status ON incidents (status, occurred_at, id);
CREATE INDEX incidents_by_type ON incidents (type_code, occurred_at, id);
CREATE INDEX incidents_by_reporter ON incidents (reported_by, occurred_at, id);
CREATE INDEX incidents_by_quarter ON incidents (quarter, establishment_id, type_code);
CREATE INDEX incidents_to_delete ON incidents (delete_after);

-- Answers to the type's questions: one row per chosen answer (several for
-- a question that takes many), the value itself for a number, date or
-- text question.
CREATE TABLE incident_answers (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT,
    answer_date TEXT,
    PRIMARY KEY (incident_id, question, answer)
);

-- People involved: prisoners by prison number, staff by name.
CREATE TABLE incident_people (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    kind TEXT NOT NULL,
    prison_number TEXT,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    outcome TEXT,
    comment TEXT
);
CREATE INDEX incident_people_by_incident ON incident_people (incident_id);
CREATE INDEX incident_people_by_number ON incident_people (prison_number);

-- What was added to the description after submission (it is never
-- rewritten).
CREATE TABLE incident_addenda (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    at BIGINT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL
);

-- Every status change, and every step that changed none, with who and
-- when (the platform's workflow engine writes it).
CREATE TABLE incident_events (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, at);

-- The security team's requests for correction, and the reply.
CREATE TABLE incident_corrections (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    at BIGINT NOT NULL,
    asked_by TEXT NOT NULL,
    asked_by_name TEXT NOT NULL,
    comment TEXT NOT NULL,
    reply TEXT,
    replied_at BIGINT
);

CREATE TABLE incident_investigations (
    incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
    lead_name TEXT NOT NULL,
    started_on TEXT NOT NULL,
    outcome TEXT,
    outcome_detail TEXT,
    police_result TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE incident_actions (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    action TEXT NOT NULL,
    due_on TEXT,
    done_on TEXT,
    by_name TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE TABLE incident_links (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    linked_id TEXT NOT NULL REFERENCES incidents(id),
    PRIMARY KEY (incident_id, linked_id)
);

-- Each establishment's population, for rates per 1,000 prisoners.
CREATE TABLE incident_populations (
    establishment_id TEXT PRIMARY KEY REFERENCES establishments(id),
    population BIGINT NOT NULL
);
