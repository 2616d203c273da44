package dev.parley.session.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A request body record read by {@link JsonBodies}' rules: an {@code Optional} component tells a field left out
 * ({@code null}) from a field sent as JSON {@code null} ({@code Optional.empty()}) and from a value
 * ({@code Optional.of(v)}), which is what a PATCH needs; a {@code JsonNode} component is {@code null} when left out and
 * {@code NullNode} when sent as {@code null}. With {@code rejectUnknown}, a field the record does not declare is a 400
 * naming it (a typo must not be silently ignored).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JsonBody {
    boolean rejectUnknown() default false;
}
