package dev.parley.session.client;

/**
 * The gateway answered with an error (OpenAI's shape): a refusal (4xx: unknown model, no provider key, rate limit,
 * budget) or a failure (5xx). {@code code} (upper-cased) and {@code message} are the gateway's, or null when its
 * answer had none; the caller supplies its own words then.
 */
public final class GatewayError extends Exception {
    private final int status;
    private final String code;
    private final String gatewayMessage;
    private final String deployment;

    GatewayError(int status, String code, String message, String deployment) {
        super("gateway answered HTTP " + status, null, false, false);
        this.status = status;
        this.code = code;
        this.gatewayMessage = message;
        this.deployment = deployment;
    }

    public int status() { return status; }
    public String code() { return code; }
    public String gatewayMessage() { return gatewayMessage; }
    /** The deployment that answered ({@code x-parley-deployment}), when the gateway said. */
    public String deployment() { return deployment; }
}
