package dev.parley.platform.json;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A request body record (and each record nested in one), read by the application ObjectMapper with
 * {@link StrictJson}'s body rules:
 * <ul>
 * <li>an {@code Optional} component tells a field left out ({@code null}) from a field sent as JSON {@code null}
 * ({@code Optional.empty()}) and from a value ({@code Optional.of(v)}), which is what a PATCH needs; a {@code JsonNode}
 * component is {@code null} when left out and {@code NullNode} when sent as {@code null};</li>
 * <li>a number is a JSON number: {@code "5"} where a number belongs is refused, not parsed;</li>
 * <li>with {@code rejectUnknown}, a field the record does not declare is refused (a typo must not be silently
 * ignored); without, it is ignored.</li>
 * </ul>
 * Each refusal is the one answer to a field-level body problem: 400 {@code VALIDATION_FAILED} naming the field in
 * {@code details.fields} ({@link dev.parley.platform.error.BodyErrors}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JsonBody {
    /** Refuse a field the record does not declare (400 naming it) instead of ignoring it. */
    boolean rejectUnknown() default false;
}
