-- Figures one system has released (already through its own disclosure
-- control) for another to attach to an answer: the incidents system's FOI
-- extract, given to the FOI system. Kept RELEASE_DAYS days.
CREATE TABLE platform_releases (
    id TEXT PRIMARY KEY,
    system TEXT NOT NULL,
    title TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content TEXT NOT NULL,
    released_by TEXT NOT NULL,
    released_at BIGINT NOT NULL
);
CREATE INDEX platform_releases_by_time ON platform_releases (released_at);
