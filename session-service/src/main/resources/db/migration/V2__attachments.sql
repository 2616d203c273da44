-- Images sent with a message (multipart), kept in PostgreSQL beside it and sent to vision models as content parts.
create table attachments (
    id          uuid        primary key,
    message_id  uuid        not null references messages (id) on delete cascade,
    user_id     uuid        not null,
    media_type  varchar(64) not null,
    size_bytes  integer     not null,
    data        bytea       not null,
    created_at  timestamptz not null
);
create index attachments_message on attachments (message_id);
