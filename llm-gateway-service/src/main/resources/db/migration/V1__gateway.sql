-- llm-gateway-service schema: the usage outbox, idempotency keys, and the opt-in request log.

-- One row per LLM call until usage-service has acknowledged it. The payload is the usage-event JSON of the contract.
-- request_id carries no unique index: ids are minted fresh per call, rows are written with COPY (no ON CONFLICT),
-- and usage-service is idempotent by request_id, which absorbs the one duplicate an ambiguous commit could cause.
create table usage_outbox (
    id          bigserial primary key,
    request_id  uuid        not null,
    payload     text        not null,
    created_at  timestamptz not null default now()
);

-- Idempotency-Key on non-streaming calls: the first 2xx answer is kept for 24 h and replayed to retries.
create table idempotency_keys (
    user_id       uuid         not null,
    idem_key      varchar(255) not null,
    request_hash  char(64)     not null,
    status_code   int,
    response_body text,
    deployment    varchar(255),
    created_at    timestamptz  not null default now(),
    completed_at  timestamptz,
    primary key (user_id, idem_key)
);
create index idempotency_keys_created_at on idempotency_keys (created_at);

-- Only written when parley.gateway.request-logging.enabled=true; rows older than the retention are deleted.
create table request_log (
    id            bigserial primary key,
    request_id    uuid        not null,
    user_id       uuid,
    model         varchar(255) not null,
    status        int          not null,
    request_body  text         not null,
    response_body text,
    created_at    timestamptz  not null default now()
);
create index request_log_created_at on request_log (created_at);
