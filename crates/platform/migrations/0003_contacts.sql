-- Prisoners and their approved contacts: visits and video calls both
-- need to know who may see or call whom, so the list is the platform's.

CREATE TABLE prisoners (
    id TEXT PRIMARY KEY,
    prison_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX prisoners_by_establishment ON prisoners (establishment_id);

-- One row per person on a prisoner's list. `account_id` links the person
-- to a platform account when they have one (a video caller); the name and
-- date of birth are what the prison approved. Status is approved,
-- suspended or withdrawn, effective from `status_from`.
CREATE TABLE approved_contacts (
    id TEXT PRIMARY KEY,
    prisoner_id TEXT NOT NULL REFERENCES prisoners(id),
    account_id TEXT,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    relationship TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    status_from TEXT,
    approved_by TEXT NOT NULL,
    approved_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX approved_contacts_by_prisoner ON approved_contacts (prisoner_id);
CREATE INDEX approved_contacts_by_account ON approved_contacts (account_id);
CREATE UNIQUE INDEX approved_contacts_one_per_account ON approved_contacts (prisoner_id, account_id);
