"""All DDL in one place. Bump SCHEMA_VERSION whenever a table changes shape."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3

CODES = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);

-- One row per release imported: what the pages and API cite as "data version".
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    system        TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    release_date  TEXT,
    files         TEXT NOT NULL,        -- JSON {role: file name}
    record_count  INTEGER NOT NULL DEFAULT 0,
    notes         TEXT,                 -- JSON list: what was chosen, passed over, reconciled
    imported_at   TEXT NOT NULL
);

-- Every node of every hierarchy; headers and codes alike.
CREATE TABLE codes (
    id                INTEGER PRIMARY KEY,
    system            TEXT NOT NULL,
    code              TEXT NOT NULL,     -- canonical: upper case, no dots
    display           TEXT NOT NULL,     -- E11.9
    kind              TEXT NOT NULL,     -- chapter|section|category|subcategory|code|modifier
    title             TEXT NOT NULL,     -- readable title: long descriptor, or the short one expanded
    short_title       TEXT,              -- the CMS wording, as released
    common_name       TEXT,              -- the project's plain name (codesets/common_names), if any
    billable          INTEGER NOT NULL DEFAULT 0,
    parent            TEXT,              -- canonical code of the parent in the same system
    depth             INTEGER NOT NULL DEFAULT 0,
    sort              INTEGER NOT NULL,  -- release order within the system
    effective_date    TEXT,
    termination_date  TEXT,
    source_id         INTEGER REFERENCES sources(id),
    attrs             TEXT,              -- JSON: system-specific fields
    UNIQUE (system, code)
);
CREATE INDEX codes_parent ON codes (system, parent, sort);
CREATE INDEX codes_code ON codes (code);
CREATE INDEX codes_sort ON codes (system, sort);

-- Values repeated across many codes' attrs (ICD-10-PCS axes with their definitions repeat on
-- every code of a table): stored once, referenced from attrs as {"$o": id} (a JSON object) or
-- {"$t": id} (a string), restored by the store when read.
CREATE TABLE texts (
    id    INTEGER PRIMARY KEY,
    text  TEXT NOT NULL UNIQUE
);

-- Coding notes: inclusion terms, includes, excludes1/2, code first, use additional, code also, definitions.
CREATE TABLE notes (
    system  TEXT NOT NULL,
    code    TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    type    TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE INDEX notes_code ON notes (system, code, seq);

-- Extra words people search with: index entries, drug names, synonyms.
CREATE TABLE terms (
    system  TEXT NOT NULL,
    code    TEXT NOT NULL,
    term    TEXT NOT NULL,
    origin  TEXT NOT NULL            -- e.g. "eindex", "neoplasm", "drug", "inclusion"
);
CREATE INDEX terms_code ON terms (system, code);
"""

# Tables that hold work done after a build (ingested policies, LLM explanations). A rebuild
# copies them into the new file so that replacing the codes never loses them.
CARRIED = """
CREATE TABLE IF NOT EXISTS explanations (
    system         TEXT NOT NULL,
    code           TEXT NOT NULL,
    writer         TEXT NOT NULL,     -- grounded | llm
    model          TEXT,
    prompt_version TEXT,
    kind           TEXT NOT NULL,     -- template kind: procedure, lab, diagnosis, ...
    sections       TEXT NOT NULL,     -- JSON
    checks         TEXT,              -- JSON list of check results
    status         TEXT NOT NULL,     -- ok | failed
    reason         TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (system, code, writer)
);

CREATE TABLE IF NOT EXISTS policies (
    id             TEXT PRIMARY KEY,
    source         TEXT NOT NULL,     -- e.g. "payer-document", "cms-ncd-lab", "cms-mcd"
    payer          TEXT,
    title          TEXT NOT NULL,
    number         TEXT,
    type           TEXT,              -- medical policy, LCD, article, NCD, ...
    effective_date TEXT,
    last_reviewed  TEXT,
    url            TEXT,
    file           TEXT,
    checksum       TEXT,
    pages          INTEGER,
    ingested_at    TEXT NOT NULL,
    attrs          TEXT
);

CREATE TABLE IF NOT EXISTS policy_codes (
    policy_id    TEXT NOT NULL REFERENCES policies(id),
    system       TEXT NOT NULL,
    code         TEXT NOT NULL,
    disposition  TEXT NOT NULL,       -- covered | not_medically_necessary | investigational | prior_auth | listed
    evidence     TEXT,                -- heading or phrase that decided the disposition
    context      TEXT,
    page         INTEGER
);
CREATE INDEX IF NOT EXISTS policy_codes_code ON policy_codes (system, code);
CREATE INDEX IF NOT EXISTS policy_codes_policy ON policy_codes (policy_id);

CREATE TABLE IF NOT EXISTS policy_changes (
    policy_id    TEXT NOT NULL,
    changed_at   TEXT NOT NULL,
    old_checksum TEXT,
    new_checksum TEXT,
    summary      TEXT
);
"""

DERIVED = """
-- One row per code: its ranked list as JSON [[system, code, score, reason], ...].
-- 160k rows instead of 1.6M keeps the build fast and the file small.
CREATE TABLE similar (
    system  TEXT NOT NULL,
    code    TEXT NOT NULL,
    items   TEXT NOT NULL,
    PRIMARY KEY (system, code)
) WITHOUT ROWID;
"""

CARRIED_TABLES = ("explanations", "policies", "policy_codes", "policy_changes")


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(CODES)
    conn.executescript(CARRIED)
    conn.executescript(DERIVED)
    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def ensure_carried(conn: sqlite3.Connection) -> None:
    """Create the post-build tables in an existing database (older files, test databases)."""
    conn.executescript(CARRIED)
