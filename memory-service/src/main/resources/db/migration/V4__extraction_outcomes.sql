-- What became of each AUTO extraction session-service handed over, by the reply it extracts (session-service shows it
-- on GET of that message): queued, done (with the decisions applied), failed (after the attempts), or skipped (why).
-- Deleted with the session's memories and with the account.
create table extraction_outcomes (
    message_id uuid         primary key,
    user_id    uuid         not null,
    session_id uuid,
    status     varchar(16)  not null check (status in ('queued', 'done', 'failed', 'skipped')),
    reason     varchar(64),
    model      varchar(256),
    attempts   integer      not null default 0,
    added      integer      not null default 0,
    updated    integer      not null default 0,
    created_at timestamptz  not null default now(),
    updated_at timestamptz  not null default now()
);
create index extraction_outcomes_user on extraction_outcomes (user_id);
create index extraction_outcomes_session on extraction_outcomes (session_id) where session_id is not null;
