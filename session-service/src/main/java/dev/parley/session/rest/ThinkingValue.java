package dev.parley.session.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * {@code thinking}: {@code true} (reasoning on, the provider's default effort), {@code false} (off), or
 * {@code {"budget_tokens":N}} (on, at most N tokens of reasoning, 1 to {@value #MAX_BUDGET}). Left out or {@code null}
 * pass (what {@code null} means is the operation's business: no change on a turn, cleared on a session).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Constraint(validatedBy = ThinkingValue.Check.class)
public @interface ThinkingValue {
    int MAX_BUDGET = 1_000_000;
    String MESSAGE = "thinking is true, false or {\"budget_tokens\":N} with N a whole number from 1 to 1000000.";

    String message() default MESSAGE;

    Class<?>[] groups() default { };

    Class<? extends Payload>[] payload() default { };

    final class Check implements ConstraintValidator<ThinkingValue, JsonNode> {
        @Override
        public boolean isValid(JsonNode value, ConstraintValidatorContext context) {
            if (value == null || value.isNull() || value.isBoolean()) {
                return true;
            }
            if (!value.isObject() || value.size() != 1) {
                return false;
            }
            JsonNode budget = value.get("budget_tokens");
            return budget != null && budget.isIntegralNumber() && budget.canConvertToInt()
                    && budget.intValue() >= 1 && budget.intValue() <= MAX_BUDGET;
        }
    }
}
