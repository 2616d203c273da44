-- A version per user, bumped by every change that matters to retrieval (not by last_used_at), so a replica can tell
-- with one primary-key lookup whether the user's memories it holds in memory are still current.
create table memory_versions (
    user_id uuid primary key,
    version bigint not null
);

create function bump_memory_version() returns trigger language plpgsql as $$
begin
    insert into memory_versions (user_id, version)
    values (case when tg_op = 'DELETE' then old.user_id else new.user_id end, 1)
    on conflict (user_id) do update set version = memory_versions.version + 1;
    if tg_op = 'UPDATE' and old.user_id <> new.user_id then
        insert into memory_versions (user_id, version) values (old.user_id, 1)
        on conflict (user_id) do update set version = memory_versions.version + 1;
    end if;
    return null;
end $$;

create trigger memories_version_insert_delete after insert or delete on memories
    for each row execute function bump_memory_version();
create trigger memories_version_update
    after update of user_id, scope, session_id, type, content, keywords, importance, expires_at, embedding, embedding_model, updated_at
    on memories for each row execute function bump_memory_version();
