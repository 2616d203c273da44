-- Recent events of each session (what GET /api/v1/sessions/{id}/events sends), kept an hour so a client that
-- reconnects with Last-Event-ID gets what it missed; NOTIFY carries only the new row's id and session.
create table session_events (
    id         bigserial    primary key,
    session_id uuid         not null,
    type       varchar(32)  not null,
    data       jsonb        not null,
    created_at timestamptz  not null default now()
);
create index session_events_session on session_events (session_id, id);
create index session_events_created on session_events (created_at);
