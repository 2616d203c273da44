package dev.parley.testsupport.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/**
 * OpenAI's wire format at the HTTP boundary: the fixtures under {@code openai/wire/} (bodies and SSE streams as the
 * OpenAI API sends them, each validated against OpenAI's own API description by the module's tests) and WireMock
 * stubs that serve them. Every stub has an overload taking the base path the client is configured with, e.g.
 * {@code "/v1"} (OpenAI, the default), {@code "/openai/v1"}, or {@code ""} for an OpenAI-compatible server whose
 * base URL has no {@code /v1}.
 */
public final class OpenAiWire {
    /** OpenAI's base path, used by the overloads that take none. */
    public static final String DEFAULT_BASE_PATH = "/v1";

    /** Headers OpenAI sends with a 429 for a per-minute request limit, to pass to {@link #chatError}. */
    public static final Map<String, String> RATE_LIMITED_HEADERS = Map.of(
            "retry-after", "1",
            "x-ratelimit-limit-requests", "500",
            "x-ratelimit-remaining-requests", "0",
            "x-ratelimit-reset-requests", "120ms",
            "x-ratelimit-limit-tokens", "200000",
            "x-ratelimit-remaining-tokens", "199980",
            "x-ratelimit-reset-tokens", "6ms",
            "x-request-id", "req_5c1d8e0b7a2f4c9e8d3b6a1f0e7c2d4b");

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private OpenAiWire() {
    }

    /** The text of {@code openai/wire/<name>} on the classpath, read as UTF-8. */
    public static String fixture(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** Stubs {@code POST /v1/chat/completions} to answer 200 with the JSON fixture. */
    public static void chat(WireMockServer wm, String fixture) {
        chat(wm, DEFAULT_BASE_PATH, fixture);
    }

    /** Stubs {@code POST <basePath>/chat/completions} to answer 200 with the JSON fixture. */
    public static void chat(WireMockServer wm, String basePath, String fixture) {
        wm.stubFor(post(urlPathEqualTo(path(basePath, "/chat/completions")))
                .willReturn(json(200, fixture)));
    }

    /** Stubs {@code POST /v1/chat/completions} with {@code "stream": true} to stream the SSE fixture. */
    public static void chatStream(WireMockServer wm, String sseFixture) {
        chatStream(wm, DEFAULT_BASE_PATH, sseFixture);
    }

    /** Stubs {@code POST <basePath>/chat/completions} with {@code "stream": true} to stream the SSE fixture, chunked. */
    public static void chatStream(WireMockServer wm, String basePath, String sseFixture) {
        byte[] body = bytes(sseFixture);
        int events = sseDataLines(new String(body, StandardCharsets.UTF_8)).size() + 1; // + [DONE]
        wm.stubFor(post(urlPathEqualTo(path(basePath, "/chat/completions")))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", EVENT_STREAM)
                        .withBody(body)
                        .withChunkedDribbleDelay(events, 5 * events))); // arrives in pieces, as over the network
    }

    /** Stubs {@code POST /v1/chat/completions} to fail with the status, error fixture and extra headers. */
    public static void chatError(WireMockServer wm, int status, String fixture, Map<String, String> headers) {
        chatError(wm, DEFAULT_BASE_PATH, status, fixture, headers);
    }

    /** Stubs {@code POST <basePath>/chat/completions} to fail with the status, error fixture and extra headers. */
    public static void chatError(WireMockServer wm, String basePath, int status, String fixture,
            Map<String, String> headers) {
        ResponseDefinitionBuilder response = json(status, fixture);
        headers.forEach(response::withHeader);
        wm.stubFor(post(urlPathEqualTo(path(basePath, "/chat/completions"))).willReturn(response));
    }

    /** Stubs {@code POST /v1/embeddings} to answer 200 with the JSON fixture. */
    public static void embeddings(WireMockServer wm, String fixture) {
        embeddings(wm, DEFAULT_BASE_PATH, fixture);
    }

    /** Stubs {@code POST <basePath>/embeddings} to answer 200 with the JSON fixture. */
    public static void embeddings(WireMockServer wm, String basePath, String fixture) {
        wm.stubFor(post(urlPathEqualTo(path(basePath, "/embeddings"))).willReturn(json(200, fixture)));
    }

    /** Stubs {@code GET /v1/models} to answer 200 with the JSON fixture. */
    public static void models(WireMockServer wm, String fixture) {
        models(wm, DEFAULT_BASE_PATH, fixture);
    }

    /** Stubs {@code GET <basePath>/models} to answer 200 with the JSON fixture. */
    public static void models(WireMockServer wm, String basePath, String fixture) {
        wm.stubFor(get(urlPathEqualTo(path(basePath, "/models"))).willReturn(json(200, fixture)));
    }

    /** The payloads of an SSE body's {@code data:} lines in order, without the closing {@code [DONE]}. */
    public static List<String> sseDataLines(String sseBody) {
        List<String> out = new ArrayList<>();
        for (String line : sseBody.split("\r\n|\r|\n")) {
            if (!line.startsWith("data:")) {
                continue; // blank separators, comments (":"), event:/id:/retry: fields
            }
            String data = line.substring(5);
            if (data.startsWith(" ")) {
                data = data.substring(1); // the SSE spec strips exactly one leading space
            }
            if (!data.equals("[DONE]")) {
                out.add(data);
            }
        }
        return out;
    }

    /** {@code basePath + endpoint}, with {@code basePath} given with or without leading or trailing slash. */
    public static String path(String basePath, String endpoint) {
        String base = basePath == null ? "" : basePath.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!base.isEmpty() && !base.startsWith("/")) {
            base = "/" + base;
        }
        return base + endpoint;
    }

    private static ResponseDefinitionBuilder json(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON).withBody(bytes(fixture));
    }

    private static byte[] bytes(String name) {
        String resource = "openai/wire/" + name;
        try (InputStream in = OpenAiWire.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource + " on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
