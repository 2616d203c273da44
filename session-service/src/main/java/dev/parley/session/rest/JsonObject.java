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
 * A free-form field ({@code llm_params}, {@code metadata}) must be a JSON object when sent: left out or {@code null}
 * pass (what {@code null} means is the operation's business), anything else is refused; {@code maxChars} bounds its
 * JSON text.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Constraint(validatedBy = JsonObject.Check.class)
public @interface JsonObject {
    String message() default "must be a JSON object";

    int maxChars() default Integer.MAX_VALUE;

    Class<?>[] groups() default { };

    Class<? extends Payload>[] payload() default { };

    final class Check implements ConstraintValidator<JsonObject, JsonNode> {
        private int maxChars;

        @Override
        public void initialize(JsonObject annotation) {
            maxChars = annotation.maxChars();
        }

        @Override
        public boolean isValid(JsonNode value, ConstraintValidatorContext context) {
            return value == null || value.isNull() || value.isObject() && (maxChars == Integer.MAX_VALUE || value.toString().length() <= maxChars);
        }
    }
}
