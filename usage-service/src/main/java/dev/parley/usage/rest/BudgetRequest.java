package dev.parley.usage.rest;

import java.math.BigDecimal;

import dev.parley.platform.json.JsonBody;
import dev.parley.usage.entity.BudgetLimits;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/**
 * A budget as {@code PUT /api/v1/budgets/…} takes it: {@code {"daily":{"soft_usd","hard_usd"},"monthly":{…}}}. A
 * period or a limit that is absent or null has no limit (a PUT replaces the whole budget). Unknown fields are refused,
 * and a limit is a JSON number ({@code "5"} is refused).
 */
@JsonBody(rejectUnknown = true)
public record BudgetRequest(@Valid Limits daily, @Valid Limits monthly) {
    static final String USD = "a number of USD from 0 to 1000000000 (or null for no limit)";

    /** One period's limits in USD; null = none. */
    @JsonBody(rejectUnknown = true)
    public record Limits(@DecimalMin(value = "0", message = USD) @DecimalMax(value = "1000000000", message = USD) BigDecimal softUsd,
                         @DecimalMin(value = "0", message = USD) @DecimalMax(value = "1000000000", message = USD) BigDecimal hardUsd) {
    }

    BudgetLimits toLimits() {
        return new BudgetLimits(daily == null ? null : daily.softUsd(), daily == null ? null : daily.hardUsd(),
                monthly == null ? null : monthly.softUsd(), monthly == null ? null : monthly.hardUsd());
    }
}
