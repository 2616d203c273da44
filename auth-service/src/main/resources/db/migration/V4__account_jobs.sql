-- auth-service: the account's whole life. A deletion or an export is an account job that every service keeping user
-- data (parley.account.services) carries out and reports done; auth-service calls no one.

-- A user being deleted: the row is the tombstone. Everything else of the user is deleted when the deletion starts; the
-- row stays (enabled false, no usable password, username and email still taken) until every service has reported the
-- deletion done, and is then deleted with the job.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;

CREATE TABLE account_jobs (
    id         UUID        PRIMARY KEY,
    kind       VARCHAR(16) NOT NULL CHECK (kind IN ('delete', 'export')),
    user_id    UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    -- every service has reported the job done (an export's archive is complete from then on)
    ready_at   TIMESTAMPTZ
);
CREATE INDEX account_jobs_user_idx ON account_jobs (user_id, kind, created_at DESC);
CREATE UNIQUE INDEX account_jobs_one_deletion_uk ON account_jobs (user_id) WHERE kind = 'delete';
CREATE INDEX account_jobs_ready_idx ON account_jobs (ready_at) WHERE kind = 'export';

-- One row per service and job: pending until that service reports it done.
CREATE TABLE account_job_services (
    job_id     UUID        NOT NULL REFERENCES account_jobs (id) ON DELETE CASCADE,
    service    VARCHAR(64) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ,
    PRIMARY KEY (job_id, service)
);
CREATE INDEX account_job_services_pending_idx ON account_job_services (service, created_at) WHERE done_at IS NULL;

-- The files of an export (JSON), per service. content is NULL for a file left out because the export had reached
-- parley.account.export-max-bytes (the manifest names it).
CREATE TABLE account_export_files (
    job_id     UUID         NOT NULL REFERENCES account_jobs (id) ON DELETE CASCADE,
    service    VARCHAR(64)  NOT NULL,
    name       VARCHAR(300) NOT NULL,
    size_bytes BIGINT       NOT NULL,
    content    BYTEA,
    stored_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (job_id, service, name)
);
