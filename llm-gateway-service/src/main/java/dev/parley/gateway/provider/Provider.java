package dev.parley.gateway.provider;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.platform.egress.EgressPolicy;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * One provider behind the OpenAI-compatible surface: what it is called and where it lives, and how an OpenAI request
 * becomes its request and its answers, stream events and errors become exactly what OpenAI's API would have answered.
 * <p>
 * The default methods speak OpenAI's own wire format (OpenAI and every OpenAI-compatible server: Ollama, vLLM, Groq…),
 * so such a provider only names itself; a provider with a wire format of its own (Anthropic, Gemini) overrides the
 * translation hooks. Implementations are {@code @Singleton} beans found by {@link ProviderRegistry}, stateless and
 * thread-safe (the state of one stream lives in its {@link StreamTranslator}), and called on the event loop: nothing
 * here may block.
 */
public interface Provider {

    // ---- what it is ------------------------------------------------------------------------------------------------

    /**
     * The name model ids use ({@code openai/gpt-4o-mini}), which is also the provider type a user's provider key or an
     * operator's provider names ({@code openai_compatible} is a type only); {@code parley} for the models Parley serves.
     */
    String name();

    /** SDK-style base URL (ending in {@code /v1} where the provider has one); null when each deployment must give one. */
    default String defaultBaseUrl() {
        return null;
    }

    /**
     * For a model Parley serves itself ({@code parley/echo}): the model's name after {@code parley/}. Such a provider
     * needs no key and is found by the model's id; null for every other provider.
     */
    default String ownModel() {
        return null;
    }

    /** Whether {@code <name>/<model>} works with nothing configured but a key: the provider has a home. */
    default boolean builtIn() {
        return ownModel() == null && defaultBaseUrl() != null;
    }

    /** Null when the provider serves this endpoint; otherwise the 400 that tells the client which one to use. */
    default OpenAiException refuse(boolean embeddings) {
        return null;
    }

    /** The answers of a model computed inside the gateway, without any HTTP call ({@code parley/echo}); else null. */
    default LocalModel local() {
        return null;
    }

    /** A model answered inside the gateway: the same objects a provider's translated answer would be. */
    interface LocalModel {
        ObjectNode completion(ObjectNode request);

        /** Every chunk of the streamed answer, the usage chunk last. */
        List<ObjectNode> chunks(ObjectNode request);
    }

    // ---- reaching it -----------------------------------------------------------------------------------------------

    /** The address to connect to for a deployment's base URL: by default the one the egress policy checked. */
    default Future<InetAddress> destination(URI base, EgressPolicy egress) {
        return egress.check(base);
    }

    /** What authenticates the call: by default the deployment's key (the user's or the operator's; may be null). */
    default Future<String> credential(String deploymentKey) {
        return Future.succeededFuture(deploymentKey);
    }

    /** The path (and query) to POST to, after the base URL's path; a model name it cannot take is a 400. */
    default String path(URI base, String model, boolean stream, boolean embeddings) {
        return embeddings ? "/embeddings" : "/chat/completions";
    }

    /** Puts the credential where the provider expects it: always a header, never the URL (OpenAI's: a bearer token). */
    default void authenticate(MultiMap headers, String credential) {
        if (credential != null && !credential.isEmpty()) {
            headers.add("Authorization", "Bearer " + credential);
        }
    }

    /**
     * Headers computed from the final request, for a provider that signs each request (AWS SigV4 signs the method,
     * host, path, headers and a hash of the body). Called after {@link #authenticate}, once the body is known.
     */
    default void sign(MultiMap headers, String host, String path, Buffer body, String credential) {
    }

    /** Whether the gateway's circuit breaker guards its deployments (false for a Parley service: its outage has its own answer). */
    default boolean circuitBreaker() {
        return true;
    }

    // ---- requests and answers --------------------------------------------------------------------------------------

    /**
     * The provider's request for an OpenAI chat or embeddings request; a request it cannot express is a 400. OpenAI's
     * wire: the client's own request with the deployment's model, and usage asked for in streams (the metering needs
     * it; a client that did not ask for it does not see it), {@code thinking} as OpenAI-compatible servers take it.
     */
    default ObjectNode request(ObjectNode openAi, String model, boolean stream, boolean embeddings) {
        return OpenAiWire.request(openAi, model, stream, false);
    }

    /**
     * The provider's non-streamed chat answer as an OpenAI {@code chat.completion}. An answer already in OpenAI's shape
     * is returned itself (the gateway then forwards the provider's bytes when it has nothing to fill in); a translated
     * one is a new object. An answer that is not one is a 502.
     */
    default ObjectNode completion(ObjectNode answer, String model) {
        return answer;
    }

    /** The provider's embeddings answer as OpenAI's {@code list} of embeddings: itself when it already is one. */
    default ObjectNode embeddings(ObjectNode answer, ObjectNode openAiRequest, String model) {
        return answer;
    }

    /** Tokens written to the provider's prompt cache, from a non-streamed answer (0 when the provider has none). */
    default long cacheWriteTokens(JsonNode answer) {
        return 0;
    }

    /** How the provider frames a streamed answer (server-sent events, for every provider so far). */
    default StreamFraming framing() {
        return StreamFraming.SSE;
    }

    /** A fresh translator for one streamed answer; {@code provider} names the deployment's provider in errors. */
    default StreamTranslator stream(String provider, String model) {
        return OpenAiWire.stream(provider);
    }

    // ---- failures --------------------------------------------------------------------------------------------------

    /**
     * The provider's error answer in OpenAI's shape (status, type, code, param, message; Retry-After when it said one).
     * {@code body} is the parsed answer, null when it was not JSON; {@code provider} names the deployment's provider.
     */
    default OpenAiException error(String provider, int status, JsonNode body, long retryAfterMs) {
        return OpenAiWire.error(provider, status, body, retryAfterMs);
    }

    /** What the call does after a failed answer (the {@code error} classified from it). */
    enum Next { RETRY, NEXT_DEPLOYMENT, ANSWER }

    /**
     * By default: rate limits and server errors are tried again (then the next deployment), a rejected key or an
     * unknown model moves on to the next deployment at once, any other 4xx is the request's fault and is answered.
     */
    default Next next(int upstreamStatus, OpenAiException error) {
        int status = error.status();
        if (status == 429 || status >= 500) {
            return Next.RETRY;
        }
        return status == 401 || status == 403 || status == 404 ? Next.NEXT_DEPLOYMENT : Next.ANSWER;
    }

    /** The error when the provider cannot be reached or went silent for {@code timeout}. */
    default OpenAiException unreachable(String provider, boolean timedOut, Duration timeout) {
        return timedOut
                ? new OpenAiException(504, "server_error", "upstream_timeout", null,
                        "The provider " + provider + " did not answer within " + timeout.toSeconds() + " s.")
                : new OpenAiException(502, "server_error", "upstream_unreachable", null,
                        "The provider " + provider + " could not be reached.");
    }
}
