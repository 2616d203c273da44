package dev.parley.platform.account;

import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * What one service holds about a user, for the account's whole life: implemented by one bean in each service that
 * keeps user data (session, gateway, memory, usage); auth-service, which owns accounts, handles its own part itself.
 * {@link AccountJobs} calls it when auth-service asks (a deleted account, an export) and reports back.
 */
public interface AccountData {

    /**
     * Deletes everything this service holds about the user (rows, bytes, outbox entries), or makes it anonymous where
     * the operator's retention setting says so. Idempotent: it may run again after a crash or on another replica.
     */
    void delete(UUID userId);

    /**
     * Everything this service holds about the user, secrets excepted (never a key, token or password hash), as JSON
     * files: {@code file.accept(name, content)} once per file, {@code content} any Jackson-serialisable value. Names are
     * relative ({@code sessions.json}, {@code messages/0001.json}); keep each file under a few MB by splitting long
     * collections into numbered files.
     */
    void export(UUID userId, BiConsumer<String, Object> file);
}
