package dev.parley.testsupport.anthropic;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.parley.testsupport.openai.OpenAiWire;

/**
 * Anthropic's wire format at the HTTP boundary: the fixtures under {@code anthropic/wire/} (Messages API bodies and
 * SSE streams as Anthropic's API reference documents them; {@code anthropic/wire/README.md} names the pages) and
 * WireMock stubs that serve them. Every stub has an overload taking the base path the client is configured with,
 * e.g. {@code "/v1"} (Anthropic, the default), {@code "/anthropic/v1"}, or {@code ""} for a compatible server whose
 * base URL has no {@code /v1}.
 */
public final class AnthropicWire {
    /** Anthropic's base path, used by the overloads that take none. */
    public static final String DEFAULT_BASE_PATH = "/v1";

    /** The {@code anthropic-version} header value clients send with every request. */
    public static final String API_VERSION = "2023-06-01";

    /**
     * Headers Anthropic sends with a 429 for a per-minute request limit, to pass to {@link #messagesError} with
     * {@code error-429.json}; the {@code request-id} is the one in that body's {@code request_id}.
     */
    public static final Map<String, String> RATE_LIMITED_HEADERS = Map.ofEntries(
            Map.entry("retry-after", "7"),
            Map.entry("anthropic-ratelimit-requests-limit", "50"),
            Map.entry("anthropic-ratelimit-requests-remaining", "0"),
            Map.entry("anthropic-ratelimit-requests-reset", "2026-11-22T14:03:07Z"),
            Map.entry("anthropic-ratelimit-tokens-limit", "38000"),
            Map.entry("anthropic-ratelimit-tokens-remaining", "37000"),
            Map.entry("anthropic-ratelimit-tokens-reset", "2026-11-22T14:03:01Z"),
            Map.entry("anthropic-ratelimit-input-tokens-limit", "30000"),
            Map.entry("anthropic-ratelimit-input-tokens-remaining", "29000"),
            Map.entry("anthropic-ratelimit-input-tokens-reset", "2026-11-22T14:03:01Z"),
            Map.entry("anthropic-ratelimit-output-tokens-limit", "8000"),
            Map.entry("anthropic-ratelimit-output-tokens-remaining", "8000"),
            Map.entry("anthropic-ratelimit-output-tokens-reset", "2026-11-22T14:03:00Z"),
            Map.entry("request-id", "req_011CWRRb4sQqWKoXB3XxFXcc"));

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private AnthropicWire() {
    }

    /** The text of {@code anthropic/wire/<name>} on the classpath, read as UTF-8. */
    public static String fixture(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** Stubs {@code POST /v1/messages} to answer 200 with the JSON fixture. */
    public static void messages(WireMockServer wm, String fixture) {
        messages(wm, DEFAULT_BASE_PATH, fixture);
    }

    /** Stubs {@code POST <basePath>/messages} to answer 200 with the JSON fixture. */
    public static void messages(WireMockServer wm, String basePath, String fixture) {
        wm.stubFor(post(urlPathEqualTo(OpenAiWire.path(basePath, "/messages"))).willReturn(json(200, fixture)));
    }

    /** Stubs {@code POST /v1/messages} with {@code "stream": true} to stream the SSE fixture. */
    public static void messagesStream(WireMockServer wm, String sseFixture) {
        messagesStream(wm, DEFAULT_BASE_PATH, sseFixture);
    }

    /** Stubs {@code POST <basePath>/messages} with {@code "stream": true} to stream the SSE fixture, chunked. */
    public static void messagesStream(WireMockServer wm, String basePath, String sseFixture) {
        byte[] body = bytes(sseFixture);
        int events = sseDataLines(new String(body, StandardCharsets.UTF_8)).size();
        wm.stubFor(post(urlPathEqualTo(OpenAiWire.path(basePath, "/messages")))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", EVENT_STREAM)
                        .withBody(body)
                        .withChunkedDribbleDelay(events, 5 * events))); // arrives in pieces, as over the network
    }

    /** Stubs {@code POST /v1/messages} to fail with the status, error fixture and extra headers. */
    public static void messagesError(WireMockServer wm, int status, String fixture, Map<String, String> headers) {
        messagesError(wm, DEFAULT_BASE_PATH, status, fixture, headers);
    }

    /** Stubs {@code POST <basePath>/messages} to fail with the status, error fixture and extra headers. */
    public static void messagesError(WireMockServer wm, String basePath, int status, String fixture,
            Map<String, String> headers) {
        ResponseDefinitionBuilder response = json(status, fixture);
        headers.forEach(response::withHeader);
        wm.stubFor(post(urlPathEqualTo(OpenAiWire.path(basePath, "/messages"))).willReturn(response));
    }

    /**
     * The payloads of an SSE body's {@code data:} lines in order. Anthropic's streams have no {@code [DONE]}; each
     * event's {@code event:} line names the {@code type} its payload repeats, so the payloads alone suffice.
     */
    public static List<String> sseDataLines(String sseBody) {
        return OpenAiWire.sseDataLines(sseBody);
    }

    private static ResponseDefinitionBuilder json(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON).withBody(bytes(fixture));
    }

    private static byte[] bytes(String name) {
        String resource = "anthropic/wire/" + name;
        try (InputStream in = AnthropicWire.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource + " on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
