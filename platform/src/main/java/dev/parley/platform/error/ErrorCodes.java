package dev.parley.platform.error;

/** Codes and default messages for failures that are answered by status alone. */
public final class ErrorCodes {
    private ErrorCodes() { }

    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "BAD_REQUEST";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 409 -> "CONFLICT";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 429 -> "RATE_LIMITED";
            case 503 -> "SERVICE_UNAVAILABLE";
            default -> status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + status;
        };
    }

    public static String messageFor(int status) {
        return switch (status) {
            case 400 -> "The request is not valid";
            case 401 -> "Authentication is required: send a valid bearer token";
            case 403 -> "You are not allowed to do this";
            case 404 -> "Not found";
            case 405 -> "This method is not allowed on this path";
            case 406 -> "The requested media type cannot be produced";
            case 409 -> "Conflict with the current state";
            case 413 -> "The request body is too large";
            case 415 -> "Unsupported media type: send application/json";
            case 429 -> "Too many requests";
            case 503 -> "Service temporarily unavailable";
            default -> status >= 500 ? "Internal error" : "Request failed";
        };
    }
}
