-- usage-service: one row per LLM call, the price catalogue, rollups that reports read, running budget totals.

-- The price catalogue: a price applies to (provider, model) from effective_from until a later row for the same
-- (provider, model, match) takes over. match: exact model name, or prefix (dated snapshots of a family).
create table prices (
    id                           bigserial primary key,
    provider                     varchar(64) not null,
    model                        varchar(256) not null,
    match                        varchar(8) not null check (match in ('exact', 'prefix')),
    input_per_mtok               numeric(14, 6) not null check (input_per_mtok >= 0),
    output_per_mtok              numeric(14, 6) not null check (output_per_mtok >= 0),
    cached_input_per_mtok        numeric(14, 6) check (cached_input_per_mtok >= 0),
    cache_write_per_mtok         numeric(14, 6) check (cache_write_per_mtok >= 0),
    reasoning_per_mtok           numeric(14, 6) check (reasoning_per_mtok >= 0),
    per_image                    numeric(14, 6) check (per_image >= 0),
    long_context_threshold_tokens bigint check (long_context_threshold_tokens > 0),
    long_context_input_per_mtok  numeric(14, 6) check (long_context_input_per_mtok >= 0),
    long_context_output_per_mtok numeric(14, 6) check (long_context_output_per_mtok >= 0),
    effective_from               timestamptz not null,
    source                       text,
    catalogue_version            varchar(64),
    created_at                   timestamptz not null default now(),
    created_by                   uuid,
    unique (provider, model, match, effective_from)
);

-- Which bundled catalogue versions were imported (each once).
create table price_catalogues (
    version     varchar(64) primary key,
    imported_at timestamptz not null default now(),
    entries     int not null
);

-- One row per LLM call, stored once whatever the redeliveries (primary key request_id). Not partitioned: the key
-- of idempotency is request_id alone and a partitioned table's unique keys must hold the partition key; reports
-- read the rollups below, the raw rows serve per-message, per-session and recompute queries through their indexes.
create table usage_events (
    request_id          uuid primary key,
    occurred_at         timestamptz not null,
    user_id             uuid not null,
    access_key_id       uuid,
    session_id          uuid,
    message_id          uuid,
    provider            varchar(64) not null,
    model               varchar(256) not null,
    deployment          varchar(300),
    prompt_tokens       bigint not null,
    completion_tokens   bigint not null,
    cached_tokens       bigint not null default 0,
    reasoning_tokens    bigint not null default 0,
    cache_write_tokens  bigint not null default 0,
    images              int not null default 0,
    latency_ms          int not null,
    ttft_ms             int,
    status              varchar(16) not null,
    streamed            boolean not null,
    cost_usd            numeric(20, 10),
    price_id            bigint,
    ingested_at         timestamptz not null default now()
);
create index usage_events_user_time on usage_events (user_id, occurred_at);
create index usage_events_session on usage_events (session_id, occurred_at) where session_id is not null;
create index usage_events_message on usage_events (message_id) where message_id is not null;
create index usage_events_time on usage_events using brin (occurred_at);

-- Per day, user, provider and model: what cost estimation and stats read. latency_buckets counts calls per latency
-- bucket (upper bounds in UsageRollups.LATENCY_BOUNDS_MS) for the p95.
create table usage_daily (
    day                 date not null,
    user_id             uuid not null,
    provider            varchar(64) not null,
    model               varchar(256) not null,
    requests            bigint not null,
    errors              bigint not null,
    prompt_tokens       bigint not null,
    completion_tokens   bigint not null,
    cached_tokens       bigint not null,
    reasoning_tokens    bigint not null,
    cache_write_tokens  bigint not null,
    images              bigint not null,
    cost_usd            numeric(24, 10) not null,
    unpriced            bigint not null,
    latency_ms_sum      bigint not null,
    latency_buckets     bigint[] not null,
    primary key (user_id, day, provider, model)
);

-- The same across all users (admin reports over everyone read a few rows per day).
create table usage_daily_all (
    day                 date not null,
    provider            varchar(64) not null,
    model               varchar(256) not null,
    requests            bigint not null,
    errors              bigint not null,
    prompt_tokens       bigint not null,
    completion_tokens   bigint not null,
    cached_tokens       bigint not null,
    reasoning_tokens    bigint not null,
    cache_write_tokens  bigint not null,
    images              bigint not null,
    cost_usd            numeric(24, 10) not null,
    unpriced            bigint not null,
    latency_ms_sum      bigint not null,
    latency_buckets     bigint[] not null,
    primary key (day, provider, model)
);

-- Budgets, limits in USD (null = none): the default for every user (subject_id the zero uuid), one an admin set for a
-- user ('admin': replaces the default for that user), one a user set for themselves ('user': can only lower what
-- applies), an access key's by its owner ('key') and by an admin ('keyadmin': the owner's can only lower it).
create table budgets (
    kind              varchar(8) not null check (kind in ('default', 'admin', 'user', 'key', 'keyadmin')),
    subject_id        uuid not null,
    daily_soft_usd    numeric(14, 4),
    daily_hard_usd    numeric(14, 4),
    monthly_soft_usd  numeric(14, 4),
    monthly_hard_usd  numeric(14, 4),
    updated_at        timestamptz not null,
    updated_by        uuid,
    primary key (kind, subject_id)
);

-- Whose access key is whose, as its usage shows (a user may set budgets on their own keys).
create table key_owners (
    access_key_id uuid primary key,
    user_id       uuid not null
);

-- Running spend per user and per key, per UTC day and month, kept by ingest: what the budget check reads.
create table spend_totals (
    kind          varchar(8) not null check (kind in ('user', 'key')),
    subject_id    uuid not null,
    period        char(1) not null check (period in ('d', 'm')),
    period_start  date not null,
    cost_usd      numeric(24, 10) not null,
    primary key (kind, subject_id, period, period_start)
);

-- Each budget crossing, recorded once per subject, period and level.
create table budget_crossings (
    kind          varchar(8) not null,
    subject_id    uuid not null,
    period        char(1) not null,
    period_start  date not null,
    level         varchar(4) not null check (level in ('soft', 'hard')),
    limit_usd     numeric(14, 4) not null,
    total_usd     numeric(24, 10) not null,
    crossed_at    timestamptz not null default now(),
    primary key (kind, subject_id, period, period_start, level)
);
