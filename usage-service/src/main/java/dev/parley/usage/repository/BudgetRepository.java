package dev.parley.usage.repository;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.parley.usage.entity.BudgetLimits;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code budgets}: one row per kind (default, admin, user, key, keyadmin) and subject; a few hundred at most. */
@ApplicationScoped
public class BudgetRepository {
    /** A stored budget. */
    public record Stored(String kind, UUID subject, BudgetLimits limits) { }

    private final Jdbc jdbc;

    public BudgetRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public List<Stored> all() {
        return jdbc.with("reading budgets", c -> {
            List<Stored> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select kind, subject_id, daily_soft_usd, daily_hard_usd, monthly_soft_usd, "
                    + "monthly_hard_usd from budgets");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getString(1), rs.getObject(2, UUID.class), new BudgetLimits(rs.getBigDecimal(3),
                            rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6))));
                }
            }
            return out;
        });
    }

    /** Sets a budget (replacing the one of that kind and subject), with who set it. */
    public void put(String kind, UUID subject, BudgetLimits l, UUID by) {
        jdbc.with("storing a budget", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into budgets (kind, subject_id, daily_soft_usd, daily_hard_usd, monthly_soft_usd, monthly_hard_usd, updated_at, updated_by)
                    values (?, ?, ?, ?, ?, ?, now(), ?)
                    on conflict (kind, subject_id) do update set daily_soft_usd = excluded.daily_soft_usd,
                      daily_hard_usd = excluded.daily_hard_usd, monthly_soft_usd = excluded.monthly_soft_usd,
                      monthly_hard_usd = excluded.monthly_hard_usd, updated_at = now(), updated_by = excluded.updated_by""")) {
                ps.setString(1, kind);
                ps.setObject(2, subject);
                ps.setBigDecimal(3, l.dailySoft());
                ps.setBigDecimal(4, l.dailyHard());
                ps.setBigDecimal(5, l.monthlySoft());
                ps.setBigDecimal(6, l.monthlyHard());
                ps.setObject(7, by);
                return ps.executeUpdate();
            }
        });
    }
}
