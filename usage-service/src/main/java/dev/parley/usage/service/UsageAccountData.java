package dev.parley.usage.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

import dev.parley.platform.account.AccountData;
import dev.parley.usage.config.RetentionConfig;
import dev.parley.usage.repository.AccountRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * usage-service's part of an account's deletion and export: the user's call records (deleted, or kept anonymized when
 * the operator's {@code parley.usage.retention.account-deletion} is {@code anonymize}), rollups, spend totals,
 * budget crossings and budgets, the user's and the user's access keys'. The rollups across users keep their sums:
 * they name no one.
 */
@ApplicationScoped
public class UsageAccountData implements AccountData {
    static final int EVENTS_PER_FILE = 10_000;

    private final AccountRepository accounts;
    private final RetentionConfig retention;

    public UsageAccountData(AccountRepository accounts, RetentionConfig retention) {
        this.accounts = accounts;
        this.retention = retention;
    }

    @Override
    public void delete(UUID userId) {
        boolean keep = retention.accountDeletion() == RetentionConfig.AccountDeletion.ANONYMIZE;
        QuarkusTransaction.requiringNew().run(() -> accounts.delete(userId, keep));
    }

    @Override
    public void export(UUID userId, BiConsumer<String, Object> file) {
        file.accept("budgets.json", Map.of("data", accounts.budgets(userId)));
        Instant afterTime = null;
        UUID afterId = null;
        int n = 0;
        while (true) {
            List<Map<String, Object>> page = accounts.events(userId, afterTime, afterId, EVENTS_PER_FILE);
            if (page.isEmpty() && n > 0) {
                return;
            }
            file.accept(String.format("usage-events-%04d.json", ++n), Map.of("data", page));
            if (page.size() < EVENTS_PER_FILE) {
                return;
            }
            Map<String, Object> last = page.get(page.size() - 1);
            afterTime = (Instant) last.get("occurred_at");
            afterId = (UUID) last.get("request_id");
        }
    }
}
