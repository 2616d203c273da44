-- session-service schema: sessions and their messages as a tree (parent_message_id), and memory-service deletions
-- still owed for deleted sessions.

create table sessions (
    id             uuid         primary key,
    user_id        uuid         not null,
    title          varchar(200),
    system_prompt  text,
    memory_mode    varchar(16)  not null default 'AUTO' check (memory_mode in ('AUTO', 'EXPLICIT', 'DISABLED')),
    model          varchar(256),
    llm_params     jsonb        not null default '{}',
    metadata       jsonb        not null default '{}',
    active_leaf_id uuid,
    created_at     timestamptz  not null,
    updated_at     timestamptz  not null
);
-- A user's sessions, newest first (keyset pagination on (created_at, id)).
create index sessions_user_created on sessions (user_id, created_at desc, id desc);

create table messages (
    id                uuid         primary key,
    session_id        uuid         not null references sessions (id) on delete cascade,
    user_id           uuid         not null,
    parent_message_id uuid         references messages (id) on delete cascade,
    role              varchar(16)  not null check (role in ('user', 'assistant', 'tool')),
    content           text         not null default '',
    model_used        varchar(256),
    provider          varchar(128),
    deployment        varchar(256),
    prompt_tokens     integer,
    completion_tokens integer,
    response_time_ms  integer,
    ttft_ms           integer,
    finish_reason     varchar(32),
    status            varchar(16)  not null default 'complete' check (status in ('complete', 'partial', 'error', 'cancelled', 'pending')),
    reasoning         text,
    context           jsonb,
    error             jsonb,
    llm_params        jsonb,
    idempotency_key   varchar(255),
    depth             integer      not null,
    created_at        timestamptz  not null
);
create index messages_session_created on messages (session_id, created_at, id);
create index messages_parent on messages (parent_message_id);
create unique index messages_idempotency on messages (session_id, idempotency_key) where idempotency_key is not null;

-- memory-service's DELETE /internal/v1/sessions/{id} for deleted sessions, retried until it succeeds.
create table memory_deletions (
    session_id   uuid        primary key,
    user_id      uuid        not null,
    attempts     integer     not null default 0,
    next_attempt timestamptz not null default now(),
    last_error   text
);
