-- auth-service: registration an operator can close (invite codes), login by email (emails unique per account).

-- Emails become unique regardless of case, so an email names one account at login. Nothing checked this before, so
-- accounts may already share an address: the oldest account (created first) keeps it, the others' email is cleared
-- (they keep logging in by username), and the count is reported in the migration's log.
DO $$
DECLARE
    cleared INTEGER;
BEGIN
    UPDATE users u SET email = NULL, updated_at = now()
     WHERE u.email IS NOT NULL
       AND EXISTS (SELECT 1 FROM users o
                    WHERE lower(o.email) = lower(u.email)
                      AND (o.created_at < u.created_at OR (o.created_at = u.created_at AND o.id < u.id)));
    GET DIAGNOSTICS cleared = ROW_COUNT;
    IF cleared > 0 THEN
        RAISE NOTICE 'users: % email(s) shared with an older account were cleared before making emails unique', cleared;
    END IF;
END $$;
CREATE UNIQUE INDEX users_email_lower_uk ON users (lower(email));

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
