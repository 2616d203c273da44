-- auth-service: registration an operator can close (invite codes made by admins).

-- Invite codes made by admins (parley.auth.registration=invite). Only a SHA-256 hash of the code is stored (like access
-- keys: a slow hash adds nothing for 128-bit random secrets). A registration takes one use atomically
-- (uses < max_uses in the UPDATE itself), so two registrations racing for the last use cannot both win.
CREATE TABLE invites (
    id         UUID PRIMARY KEY,
    code_hash  CHAR(64)     NOT NULL,
    note       VARCHAR(200),
    max_uses   INTEGER      NOT NULL CHECK (max_uses > 0),
    uses       INTEGER      NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at TIMESTAMPTZ  NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL,
    -- the admin who made it; an invite outlives its maker's account
    created_by UUID         REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invites_code_hash_uk ON invites (code_hash);
CREATE INDEX invites_created_idx ON invites (created_at DESC, id DESC);
CREATE INDEX invites_created_by_idx ON invites (created_by);
