package dev.parley.usage.entity;

import java.math.BigDecimal;

/** A budget's limits in USD, per UTC day and month, soft and hard; null = none (a row of {@code budgets}). */
public record BudgetLimits(BigDecimal dailySoft, BigDecimal dailyHard, BigDecimal monthlySoft, BigDecimal monthlyHard) {
    public static final BudgetLimits NONE = new BudgetLimits(null, null, null, null);

    /** The limit of a period ({@code d} or {@code m}) and level ({@code soft} or {@code hard}). */
    public BigDecimal get(String period, String level) {
        return "d".equals(period) ? ("soft".equals(level) ? dailySoft : dailyHard) : ("soft".equals(level) ? monthlySoft : monthlyHard);
    }

    /** Field by field, the lower of two limits (null = none). */
    public BudgetLimits lowerOf(BudgetLimits o) {
        return new BudgetLimits(min(dailySoft, o.dailySoft), min(dailyHard, o.dailyHard), min(monthlySoft, o.monthlySoft),
                min(monthlyHard, o.monthlyHard));
    }

    private static BigDecimal min(BigDecimal a, BigDecimal b) {
        return a == null ? b : b == null ? a : a.min(b);
    }
}
