-- When the background job last failed to embed a memory: it tries others first and this one again later, so one
-- user's failing embedding model never holds up everyone else's memories.
alter table memories add column embed_failed_at timestamptz;
drop index memories_unembedded;
create index memories_unembedded on memories (embed_failed_at nulls first, updated_at) where embedding is null;
