package dev.parley.usage.repository;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.parley.usage.entity.UsageEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code usage_events}, one row per LLM call. Plain JDBC: the batch insert is ingest's hot path (one statement for a
 * whole batch, arrays bound once) and a recompute streams the rows of whole days.
 */
@ApplicationScoped
public class UsageEventRepository {
    private static final String INSERT = """
            insert into usage_events (request_id, occurred_at, user_id, access_key_id, session_id, message_id, provider, model,
              deployment, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens, images,
              latency_ms, ttft_ms, status, streamed, cost_usd, price_id)
            select * from unnest(?::uuid[], ?::timestamptz[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::varchar[],
              ?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::int[],
              ?::int[], ?::varchar[], ?::boolean[], ?::numeric[], ?::bigint[])
            on conflict (request_id) do nothing returning request_id""";

    /** What a recompute needs of a stored event to price it again. */
    public record CostInputs(UUID requestId, Instant occurredAt, String provider, String model, long promptTokens,
                             long completionTokens, long cachedTokens, long reasoningTokens, long cacheWriteTokens, long images,
                             BigDecimal cost, Long priceId) { }

    /** An event's new cost (null: unpriced) and the price it came from. */
    public record NewCost(BigDecimal cost, Long priceId) { }

    private final Jdbc jdbc;

    public UsageEventRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts the events (with their costs and price ids, index by index) that are not stored yet, in one statement,
     * and answers the request ids it actually inserted: a duplicate, or one a concurrent delivery stored first, is not
     * among them. Call it inside the transaction that also adds the inserted rows to the rollups.
     */
    public Set<UUID> insertNew(List<UsageEvent> events, BigDecimal[] costs, Long[] priceIds) {
        return jdbc.with("storing usage events", c -> insertNew(c, events, costs, priceIds));
    }

    private static Set<UUID> insertNew(Connection c, List<UsageEvent> events, BigDecimal[] costs, Long[] priceIds)
            throws SQLException {
        int n = events.size();
        UUID[] rid = new UUID[n];
        Timestamp[] at = new Timestamp[n];
        UUID[] user = new UUID[n];
        UUID[] key = new UUID[n];
        UUID[] session = new UUID[n];
        UUID[] message = new UUID[n];
        String[] provider = new String[n];
        String[] model = new String[n];
        String[] deployment = new String[n];
        Long[] prompt = new Long[n];
        Long[] completion = new Long[n];
        Long[] cached = new Long[n];
        Long[] reasoning = new Long[n];
        Long[] cacheWrite = new Long[n];
        Integer[] images = new Integer[n];
        Integer[] latency = new Integer[n];
        Integer[] ttft = new Integer[n];
        String[] status = new String[n];
        Boolean[] streamed = new Boolean[n];
        for (int i = 0; i < n; i++) {
            UsageEvent e = events.get(i);
            rid[i] = e.requestId();
            at[i] = Timestamp.from(e.occurredAt());
            user[i] = e.userId();
            key[i] = e.accessKeyId();
            session[i] = e.sessionId();
            message[i] = e.messageId();
            provider[i] = e.provider();
            model[i] = e.model();
            deployment[i] = e.deployment();
            prompt[i] = e.promptTokens();
            completion[i] = e.completionTokens();
            cached[i] = e.cachedTokens();
            reasoning[i] = e.reasoningTokens();
            cacheWrite[i] = e.cacheWriteTokens();
            images[i] = e.images();
            latency[i] = e.latencyMs();
            ttft[i] = e.ttftMs();
            status[i] = e.status();
            streamed[i] = e.streamed();
        }
        Set<UUID> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("uuid", rid));
            ps.setArray(p++, c.createArrayOf("timestamptz", at));
            ps.setArray(p++, c.createArrayOf("uuid", user));
            ps.setArray(p++, c.createArrayOf("uuid", key));
            ps.setArray(p++, c.createArrayOf("uuid", session));
            ps.setArray(p++, c.createArrayOf("uuid", message));
            ps.setArray(p++, c.createArrayOf("varchar", provider));
            ps.setArray(p++, c.createArrayOf("varchar", model));
            ps.setArray(p++, c.createArrayOf("varchar", deployment));
            ps.setArray(p++, c.createArrayOf("bigint", prompt));
            ps.setArray(p++, c.createArrayOf("bigint", completion));
            ps.setArray(p++, c.createArrayOf("bigint", cached));
            ps.setArray(p++, c.createArrayOf("bigint", reasoning));
            ps.setArray(p++, c.createArrayOf("bigint", cacheWrite));
            ps.setArray(p++, c.createArrayOf("int4", images));
            ps.setArray(p++, c.createArrayOf("int4", latency));
            ps.setArray(p++, c.createArrayOf("int4", ttft));
            ps.setArray(p++, c.createArrayOf("varchar", status));
            ps.setArray(p++, c.createArrayOf("bool", streamed));
            ps.setArray(p++, c.createArrayOf("numeric", costs));
            ps.setArray(p, c.createArrayOf("bigint", priceIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return inserted;
    }

    /**
     * Streams every event of {@code [from, to)} to {@code reprice} and writes back the new costs it answers (null:
     * unchanged), in batches of 1000. Answers the number of events read. Call it inside the recompute's transaction.
     */
    public long reprice(Instant from, Instant to, Function<CostInputs, NewCost> reprice) {
        return jdbc.with("recompute", c -> {
            long read = 0;
            try (PreparedStatement sel = c.prepareStatement("select request_id, occurred_at, provider, model, prompt_tokens, "
                    + "completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens, images, cost_usd, price_id "
                    + "from usage_events where occurred_at >= ? and occurred_at < ?");
                 PreparedStatement upd = c.prepareStatement("update usage_events set cost_usd = ?, price_id = ? where request_id = ?")) {
                sel.setFetchSize(5000);
                sel.setTimestamp(1, Timestamp.from(from));
                sel.setTimestamp(2, Timestamp.from(to));
                int pending = 0;
                try (ResultSet rs = sel.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        UUID id = rs.getObject(1, UUID.class);
                        NewCost cost = reprice.apply(new CostInputs(id, rs.getTimestamp(2).toInstant(), rs.getString(3),
                                rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                                rs.getLong(10), rs.getBigDecimal(11), rs.getObject(12) == null ? null : rs.getLong(12)));
                        if (cost == null) {
                            continue;
                        }
                        upd.setBigDecimal(1, cost.cost());
                        upd.setObject(2, cost.priceId());
                        upd.setObject(3, id);
                        upd.addBatch();
                        if (++pending == 1000) {
                            upd.executeBatch();
                            pending = 0;
                        }
                    }
                }
                if (pending > 0) {
                    upd.executeBatch();
                }
            }
            return read;
        });
    }
}
