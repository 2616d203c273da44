-- auth-service: access keys, encrypted provider keys, signing keys with rotation, login throttling.

-- Parley-issued access keys (pk-...). Only a SHA-256 hash is stored; the 8-character prefix after "pk-" finds
-- the row without scanning.
CREATE TABLE access_keys (
    id             UUID PRIMARY KEY,
    user_id        UUID         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           VARCHAR(100) NOT NULL,
    prefix         VARCHAR(16)  NOT NULL,
    key_hash       CHAR(64)     NOT NULL,
    allowed_models TEXT[]       NOT NULL DEFAULT ARRAY[]::TEXT[],
    created_at     TIMESTAMPTZ  NOT NULL,
    expires_at     TIMESTAMPTZ,
    revoked_at     TIMESTAMPTZ,
    last_used_at   TIMESTAMPTZ
);
CREATE INDEX access_keys_prefix_idx ON access_keys (prefix);
CREATE INDEX access_keys_user_idx ON access_keys (user_id, created_at DESC);

-- The user's own provider keys, AES-256-GCM encrypted under a versioned key-encryption key; the associated data
-- binds each ciphertext to its row (user id, key id).
CREATE TABLE provider_keys (
    id          UUID PRIMARY KEY,
    user_id     UUID         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider    VARCHAR(32)  NOT NULL,
    name        VARCHAR(64)  NOT NULL,
    label       VARCHAR(200),
    base_url    VARCHAR(2048),
    ciphertext  BYTEA        NOT NULL,
    nonce       BYTEA        NOT NULL,
    kek_version INTEGER      NOT NULL,
    key_hint    VARCHAR(16)  NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL
);
CREATE UNIQUE INDEX provider_keys_user_name_uk ON provider_keys (user_id, name);
CREATE INDEX provider_keys_kek_idx ON provider_keys (kek_version);

-- RS256 signing keys: NEXT (published, not yet signing), CURRENT (signing), PREVIOUS (published until its tokens
-- expired), RETIRED. Private keys are encrypted like provider keys (associated data: the kid).
CREATE TABLE signing_keys (
    kid           VARCHAR(64) PRIMARY KEY,
    state         VARCHAR(16) NOT NULL,
    public_n      TEXT        NOT NULL,
    public_e      TEXT        NOT NULL,
    private_enc   BYTEA       NOT NULL,
    nonce         BYTEA       NOT NULL,
    kek_version   INTEGER     NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    activated_at  TIMESTAMPTZ,
    deactivated_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (state) WHERE state = 'CURRENT';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (state) WHERE state = 'NEXT';

-- Login throttling: failures per scope (pair = username+address, address, username) in a sliding window.
CREATE TABLE login_throttle (
    scope        VARCHAR(16)  NOT NULL,
    key          VARCHAR(300) NOT NULL,
    failures     INTEGER      NOT NULL,
    window_start TIMESTAMPTZ  NOT NULL,
    locked_until TIMESTAMPTZ,
    PRIMARY KEY (scope, key)
);

-- Addresses a user has logged in from successfully: the username-wide throttle never locks them out.
CREATE TABLE known_logins (
    user_id         UUID         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_address  VARCHAR(64)  NOT NULL,
    last_success_at TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (user_id, client_address)
);

-- Access tokens carry the refresh family as "sid", so a password change can keep the current session.
CREATE INDEX refresh_tokens_user_active_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
