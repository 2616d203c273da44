package dev.parley.session.service;

import java.util.Map;

import dev.parley.platform.error.ApiException;

/** The service's recurring errors, in the one error shape. */
public final class Errors {
    private Errors() { }

    /** 400 VALIDATION_FAILED naming the field ({@code details.fields}). */
    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "VALIDATION_FAILED", message, Map.of("fields", Map.of(field, message)));
    }

    public static ApiException messageNotFound() {
        return ApiException.notFound("MESSAGE_NOT_FOUND", "No such message.");
    }

    public static ApiException sessionNotFound() {
        return ApiException.notFound("SESSION_NOT_FOUND", "No such session.");
    }
}
