package dev.parley.memory;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * memory-service's neighbour in tests: one WireMock playing the gateway in OpenAI's wire format (chat completions
 * for extraction and summaries, embeddings when a test switches the embedding model). Tests tell their stubs apart by
 * the X-Parley-User header of the calls. (memory-service calls no other service: session-service sends it what it
 * needs.)
 */
public class MemoryStubs implements QuarkusTestResourceLifecycleManager {
    /** Set as %test.parley.memory.extraction-model in application.properties (a test profile can clear it there). */
    public static final String EXTRACTION_MODEL = "openai/gpt-4o-mini";
    private static WireMockServer gateway;

    @Override
    public Map<String, String> start() {
        gateway = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        gateway.start();
        return Map.of("parley.gateway.url", gateway.baseUrl(), "parley.memory.embed-interval", "1s",
                // the launcher gives every service every service's URL: this one's must be accepted too
                "parley.memory.url", "http://127.0.0.1:8084");
    }

    public static WireMockServer gateway() {
        return gateway;
    }

    @Override
    public void stop() {
        if (gateway != null) {
            gateway.stop();
        }
    }
}
