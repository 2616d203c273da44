-- memory-service: long-term memories and their earlier versions.

-- Full-text document of a memory: content plus keywords, English stemming (declared immutable so it can feed a
-- generated column; to_tsvector with a fixed configuration is).
create function memory_document(content text, keywords text[]) returns tsvector
    language sql immutable parallel safe
    as $$ select to_tsvector('english'::regconfig, content || ' ' || coalesce(array_to_string(keywords, ' '), '')) $$;

create table memories (
    id                   uuid primary key,
    user_id              uuid not null,
    scope                varchar(16) not null check (scope in ('user', 'session')),
    session_id           uuid,
    type                 varchar(16) not null check (type in ('fact', 'preference', 'instruction', 'summary', 'episode')),
    content              text not null,
    keywords             text[] not null default '{}',
    importance           real not null default 0.5 check (importance >= 0 and importance <= 1),
    source               varchar(16) not null check (source in ('manual', 'explicit', 'auto')),
    related_message_ids  uuid[] not null default '{}',
    created_at           timestamptz not null,
    updated_at           timestamptz not null,
    last_used_at         timestamptz,
    expires_at           timestamptz,
    -- float32 little-endian vector of embedding_model; null until computed (a background job fills it in)
    embedding            bytea,
    embedding_model      varchar(200),
    document             tsvector generated always as (memory_document(content, keywords)) stored,
    check ((scope = 'session') = (session_id is not null))
);

create index memories_user_updated on memories (user_id, updated_at desc, id desc);
create index memories_session on memories (session_id) where session_id is not null;
create index memories_document on memories using gin (document);
create index memories_unembedded on memories (updated_at) where embedding is null;

-- Earlier contents of a memory (an UPDATE by extraction, or an edit), newest last.
create table memory_history (
    id          bigserial primary key,
    memory_id   uuid not null references memories (id) on delete cascade,
    content     text not null,
    replaced_at timestamptz not null,
    source      varchar(16) not null,
    reason      text
);
create index memory_history_memory on memory_history (memory_id, id);
