package dev.parley.gateway.service;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.gateway.openai.OpenAiException;
import io.vertx.core.buffer.Buffer;

/** A provider's failure as the client sees it: in OpenAI's shape, and never repeating the key the call was sent with. */
final class ProviderErrors {
    private ProviderErrors() { }

    /** The provider's error answer, classified by its provider and scrubbed of the deployment's key. */
    static OpenAiException of(Target t, int status, Buffer body, long retryAfterMs, ObjectMapper mapper) {
        return scrub(t.api().error(t.provider(), status, json(body, mapper), retryAfterMs), t.apiKey());
    }

    /** A provider's error message never repeats the key it was sent (some echo a prefix or all of it). */
    static OpenAiException scrub(OpenAiException e, String key) {
        String message = e.getMessage();
        if (key == null || key.length() < 8 || message == null || !message.contains(key.substring(0, 8))) {
            return e;
        }
        String cleaned = message.replace(key, "[redacted]").replace(key.substring(0, 8), "[redacted]");
        return new OpenAiException(e.status(), e.type(), e.code(), e.param(), cleaned, e.retryAfterSeconds());
    }

    /** The provider refused the key (401/403): which key, in the words the client can act on. */
    static OpenAiException keyRejected(Target t, int upstreamStatus, OpenAiException e) {
        int status = e.status();
        return new OpenAiException(status, status == 401 ? "authentication_error" : "permission_error",
                "provider_key_invalid", null, "The provider " + t.provider() + " rejected the API key ("
                + (t.keyOwner() != null ? "your provider key '" + t.keyName() + "'" : "the platform's key")
                + ", HTTP " + upstreamStatus + "): " + e.getMessage());
    }

    /** The body as JSON, or null when it is empty or not JSON. */
    static JsonNode json(Buffer body, ObjectMapper mapper) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            return mapper.readTree(body.getBytes());
        } catch (IOException e) {
            return null;
        }
    }
}
