-- A session's reasoning setting (true, false or {"budget_tokens":N}; null: the model's default), sent to the gateway as
-- thinking on each of its turns unless the turn says otherwise.
alter table sessions add column thinking jsonb;
-- The model an owed AUTO extraction proposes to memory-service (the turn's; memory-service's own setting wins).
alter table memory_extractions add column model varchar(256);
