-- Routes users define (an alias to an ordered fallback chain of models they can call), and global ones an admin
-- defines for everyone (user_id null). deployments: [{"model","timeout"?,"weight"?}], 1 to 10 steps, in order.
create table user_routes (
    id          uuid          primary key,
    user_id     uuid,
    alias       varchar(128)  not null,
    description varchar(1000),
    deployments jsonb         not null,
    created_at  timestamptz   not null default now(),
    updated_at  timestamptz   not null default now()
);
-- One alias per user, and one per global name.
create unique index user_routes_user_alias on user_routes (user_id, alias) where user_id is not null;
create unique index user_routes_global_alias on user_routes (alias) where user_id is null;
