-- Exchanges owed to memory-service's AUTO extraction: written in the transaction that stores the reply, delivered
-- at once and retried with backoff until memory-service takes them (so an outage of memory-service loses none).
create table memory_extractions (
    reply_id     uuid        primary key,
    user_id      uuid        not null,
    session_id   uuid        not null,
    exchange     text        not null,
    attempts     integer     not null default 0,
    next_attempt timestamptz not null default now(),
    created_at   timestamptz not null default now(),
    last_error   text
);
create index memory_extractions_due on memory_extractions (next_attempt);
