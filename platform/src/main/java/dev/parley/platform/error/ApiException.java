package dev.parley.platform.error;

import java.util.Map;

/**
 * A failure with a stable machine-readable code, answered as
 * {@code {"error":{"code","message","details"},"request_id"}} with the given HTTP status.
 * The message is shown to the caller: never put a secret or a raw input value in it.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public int status() { return status; }
    public String code() { return code; }
    public Map<String, Object> details() { return details; }

    public static ApiException badRequest(String code, String message) { return new ApiException(400, code, message); }
    public static ApiException notFound(String code, String message) { return new ApiException(404, code, message); }
    public static ApiException conflict(String code, String message) { return new ApiException(409, code, message); }
    public static ApiException unauthenticated(String message) { return new ApiException(401, "UNAUTHENTICATED", message); }
    public static ApiException forbidden(String message) { return new ApiException(403, "FORBIDDEN", message); }
}
