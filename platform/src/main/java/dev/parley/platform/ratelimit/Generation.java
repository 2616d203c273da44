package dev.parley.platform.ratelimit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a JAX-RS resource method (or class) whose call makes a model generate something: it counts against the
 * user's generation limit ({@code parley.rate-limit.user-generations-per-minute}) instead of the general one.
 * Vert.x routes pass the same choice to {@link ApiRateLimiter#check} themselves.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Generation {
}
