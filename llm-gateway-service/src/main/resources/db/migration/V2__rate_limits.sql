-- Rate limits set through the admin API (they win over the configuration's). subject_id is the nil UUID for the
-- default that applies to every user. A null limit means "no limit" on that dimension.
create table rate_limit_overrides (
    subject_type        varchar(16) not null check (subject_type in ('default', 'user', 'access_key')),
    subject_id          uuid        not null,
    requests_per_minute bigint      check (requests_per_minute >= 0),
    tokens_per_minute   bigint      check (tokens_per_minute >= 0),
    updated_at          timestamptz not null default now(),
    updated_by          uuid,
    primary key (subject_type, subject_id)
);
