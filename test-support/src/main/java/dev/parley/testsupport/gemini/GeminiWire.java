package dev.parley.testsupport.gemini;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
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
 * Google's Gemini API wire format (generativelanguage.googleapis.com, {@code v1beta}) at the HTTP boundary: the
 * fixtures under {@code gemini/wire/} (bodies and SSE streams as the Gemini API sends them; sources in that folder's
 * README) and WireMock stubs that serve them. Every stub has an overload taking the base path the client is configured
 * with, e.g. {@code "/v1beta"} (Google, the default) or {@code ""} for a proxy that serves the models at its root.
 * Model ids may be given bare ({@code "gemini-2.5-flash"}) or as resource names ({@code "models/gemini-2.5-flash"}).
 */
public final class GeminiWire {
    /** Google's base path, used by the overloads that take none. */
    public static final String DEFAULT_BASE_PATH = "/v1beta";

    /** The header Google reads the API key from (the alternative being the {@code key} query parameter). */
    public static final String API_KEY_HEADER = "x-goog-api-key";

    private static final String JSON = "application/json; charset=UTF-8";
    private static final String EVENT_STREAM = "text/event-stream";

    private GeminiWire() {
    }

    /** The text of {@code gemini/wire/<name>} on the classpath, read as UTF-8. */
    public static String fixture(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** Stubs {@code POST /v1beta/models/<model>:generateContent} to answer 200 with the JSON fixture. */
    public static void generateContent(WireMockServer wm, String model, String fixture) {
        generateContent(wm, DEFAULT_BASE_PATH, model, fixture);
    }

    /** Stubs {@code POST <basePath>/models/<model>:generateContent} to answer 200 with the JSON fixture. */
    public static void generateContent(WireMockServer wm, String basePath, String model, String fixture) {
        wm.stubFor(post(urlPathEqualTo(path(basePath, model, "generateContent"))).willReturn(json(200, fixture)));
    }

    /** Stubs {@code POST /v1beta/models/<model>:streamGenerateContent?alt=sse} to stream the SSE fixture. */
    public static void streamGenerateContent(WireMockServer wm, String model, String sseFixture) {
        streamGenerateContent(wm, DEFAULT_BASE_PATH, model, sseFixture);
    }

    /**
     * Stubs {@code POST <basePath>/models/<model>:streamGenerateContent?alt=sse} to stream the SSE fixture, chunked.
     * Without {@code alt=sse} Google answers a JSON array instead, which this stub does not serve.
     */
    public static void streamGenerateContent(WireMockServer wm, String basePath, String model, String sseFixture) {
        byte[] body = bytes(sseFixture);
        int events = Math.max(1, sseDataLines(new String(body, StandardCharsets.UTF_8)).size()); // no [DONE] here
        wm.stubFor(post(urlPathEqualTo(path(basePath, model, "streamGenerateContent")))
                .withQueryParam("alt", equalTo("sse"))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", EVENT_STREAM)
                        .withBody(body)
                        .withChunkedDribbleDelay(events, 5 * events))); // arrives in pieces, as over the network
    }

    /** Stubs {@code POST /v1beta/models/<model>:embedContent} to answer 200 with the JSON fixture. */
    public static void embedContent(WireMockServer wm, String model, String fixture) {
        embedContent(wm, DEFAULT_BASE_PATH, model, fixture);
    }

    /** Stubs {@code POST <basePath>/models/<model>:embedContent} to answer 200 with the JSON fixture. */
    public static void embedContent(WireMockServer wm, String basePath, String model, String fixture) {
        wm.stubFor(post(urlPathEqualTo(path(basePath, model, "embedContent"))).willReturn(json(200, fixture)));
    }

    /** Stubs {@code POST /v1beta/models/<model>:batchEmbedContents} to answer 200 with the JSON fixture. */
    public static void batchEmbedContents(WireMockServer wm, String model, String fixture) {
        batchEmbedContents(wm, DEFAULT_BASE_PATH, model, fixture);
    }

    /** Stubs {@code POST <basePath>/models/<model>:batchEmbedContents} to answer 200 with the JSON fixture. */
    public static void batchEmbedContents(WireMockServer wm, String basePath, String model, String fixture) {
        wm.stubFor(post(urlPathEqualTo(path(basePath, model, "batchEmbedContents"))).willReturn(json(200, fixture)));
    }

    /**
     * Stubs {@code POST /v1beta/models/<model>:<method>} (method e.g. {@code "generateContent"},
     * {@code "streamGenerateContent"}, {@code "embedContent"}) to fail with the status, error fixture and extra headers.
     */
    public static void error(WireMockServer wm, String model, String method, int status, String fixture,
            Map<String, String> headers) {
        error(wm, DEFAULT_BASE_PATH, model, method, status, fixture, headers);
    }

    /** Stubs {@code POST <basePath>/models/<model>:<method>} to fail with the status, error fixture and extra headers. */
    public static void error(WireMockServer wm, String basePath, String model, String method, int status,
            String fixture, Map<String, String> headers) {
        ResponseDefinitionBuilder response = json(status, fixture);
        headers.forEach(response::withHeader);
        wm.stubFor(post(urlPathEqualTo(path(basePath, model, method))).willReturn(response));
    }

    /** The payloads of an SSE body's {@code data:} lines in order (Gemini streams have no closing sentinel). */
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
            out.add(data);
        }
        return out;
    }

    /**
     * {@code basePath + "/models/" + model + ":" + method}, with {@code basePath} given with or without leading or
     * trailing slash and {@code model} with or without its {@code models/} prefix. The colon stays literal.
     */
    static String path(String basePath, String model, String method) {
        String id = model.strip();
        if (id.startsWith("models/")) {
            id = id.substring("models/".length());
        }
        return dev.parley.testsupport.openai.OpenAiWire.path(basePath, "/models/" + id + ":" + method);
    }

    private static ResponseDefinitionBuilder json(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON).withBody(bytes(fixture));
    }

    private static byte[] bytes(String name) {
        String resource = "gemini/wire/" + name;
        try (InputStream in = GeminiWire.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource + " on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
