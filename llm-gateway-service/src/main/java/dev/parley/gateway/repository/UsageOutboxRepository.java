package dev.parley.gateway.repository;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The {@code usage_outbox} table: usage events (their JSON) waiting for usage-service. Plain JDBC, because this is
 * the hot path's only database work: a batch goes in with one COPY and one commit, and a relay batch is locked,
 * handed over and deleted in one transaction. Blocking: the outbox's writer and relay threads call it.
 */
@ApplicationScoped
public class UsageOutboxRepository {
    private static final String COPY = "COPY usage_outbox (request_id, payload) FROM STDIN";

    /** One event: its id and its JSON. */
    public record Row(UUID requestId, String payload) { }

    /** How far behind the relay is: rows waiting (an upper bound: the id span) and the oldest one's time. */
    public record Backlog(long rows, Instant oldest) { }

    /** What the relay does with a locked batch: true when usage-service took it (the rows are then deleted). */
    @FunctionalInterface
    public interface Delivery {
        boolean deliver(List<String> payloads) throws Exception;
    }

    private final DataSource dataSource;

    public UsageOutboxRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One COPY and one commit for the whole batch (PostgreSQL's cheapest way in). */
    public void insert(List<Row> rows) throws SQLException {
        StringBuilder text = new StringBuilder(rows.size() * 480);
        for (Row r : rows) {
            text.append(r.requestId()).append('\t');
            String json = r.payload();
            for (int i = 0; i < json.length(); i++) {
                char ch = json.charAt(i);
                switch (ch) { // COPY text format escapes; JSON from Jackson holds no raw control characters
                    case '\\' -> text.append("\\\\");
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    default -> text.append(ch);
                }
            }
            text.append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
                copy.writeToCopy(bytes, 0, bytes.length);
                copy.endCopy();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Locks the oldest {@code limit} rows ({@code FOR UPDATE SKIP LOCKED}: replicas relay side by side, never the same
     * row), hands their JSON to {@code delivery}, and deletes them in the same transaction when it answers true;
     * otherwise (false, or a failure) they stay. Answers the number delivered: 0 when there was nothing, -1 when the
     * delivery did not take the batch.
     */
    public int relayOldest(int limit, Delivery delivery) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Long> ids = new ArrayList<>(limit);
                List<String> payloads = new ArrayList<>(limit);
                try (PreparedStatement ps = c.prepareStatement(
                        "select id, payload from usage_outbox order by id limit ? for update skip locked")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                            payloads.add(rs.getString(2));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    c.commit();
                    return 0;
                }
                if (!delivery.deliver(payloads)) {
                    c.rollback();
                    return -1;
                }
                try (PreparedStatement del = c.prepareStatement("delete from usage_outbox where id = any(?)")) {
                    Array arr = c.createArrayOf("bigint", ids.toArray());
                    del.setArray(1, arr);
                    del.executeUpdate();
                }
                c.commit();
                return ids.size();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The backlog from the ends of the id index (constant time, however large a backlog usage-service's outage left):
     * the oldest row is the one with the smallest id; the count is estimated as the id span. Empty when none waits.
     */
    public Optional<Backlog> backlog() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select o.id, o.created_at, (select max(id) from usage_outbox) "
                     + "from usage_outbox o order by o.id limit 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            Timestamp oldest = rs.getTimestamp(2);
            return Optional.of(new Backlog(rs.getLong(3) - rs.getLong(1) + 1, oldest.toInstant()));
        }
    }
}
