package dev.parley.gateway.openai;

/**
 * A failure answered on the {@code /v1} surface in OpenAI's error shape
 * {@code {"error":{"message","type","param","code"}}}, so OpenAI SDKs raise their usual exception types.
 */
public class OpenAiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Long retryAfterSeconds;

    public OpenAiException(int status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null);
    }

    public OpenAiException(int status, String type, String code, String param, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", "invalid_request", param, message);
    }

    public static OpenAiException modelNotFound(String model, String hint) {
        return new OpenAiException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist or you do not have access to it." + (hint == null ? "" : " " + hint));
    }

    public static OpenAiException unauthenticated(String message) {
        return new OpenAiException(401, "invalid_request_error", "invalid_api_key", null, message);
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public String param() { return param; }
    public Long retryAfterSeconds() { return retryAfterSeconds; }
}
