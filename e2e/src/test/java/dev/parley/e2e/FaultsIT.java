package dev.parley.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testsupport.openai.OpenAiWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Nothing lost, nothing stuck: services and providers failing under the platform's feet. */
@Order(5)
class FaultsIT {
    private final E2e e2e = E2e.get();
    private final Api api = e2e.api;

    @AfterEach
    void providersNormal() {
        e2e.provider.reset();
    }

    @Test
    void usageServiceDownDuring200CallsLosesAndDuplicatesNothing() throws Exception {
        E2e.User user = e2e.register("metered");
        String key = e2e.accessKey(user);
        Map<String, Object> call = Map.of("model", "parley/echo", "messages", List.of(Map.of("role", "user", "content", "count me")));
        for (int i = 0; i < 200; i++) {
            if (i == 50) {
                e2e.platform.stopService("usage-service");
            }
            if (i == 150) {
                e2e.platform.restartService("usage-service");
            }
            Api.Response r = api.post("/v1/chat/completions", key, call);
            assertEquals(200, r.status(), "call " + i + ": " + r.text());
        }
        // the gateway's outbox delivers what was kept while usage-service was away
        long[] counted = {0, 0};
        for (int i = 0; i < 120 && counted[0] < 200; i++) {
            counted = usageRows(user.id());
            Thread.sleep(500);
        }
        assertEquals(200, counted[0], "usage records");
        assertEquals(200, counted[1], "distinct request ids");
        Api.Response est = api.get("/api/v1/usage/cost-estimation", user.accessToken());
        assertEquals(200, est.path("requests").asInt(), est.text());
    }

    private long[] usageRows(String userId) throws Exception {
        try (Connection c = DriverManager.getConnection(e2e.platform.jdbcUrl("usage-service"), "postgres", "");
             PreparedStatement ps = c.prepareStatement(
                     "select count(*), count(distinct request_id) from usage_events where user_id = ?")) {
            ps.setObject(1, UUID.fromString(userId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    @Test
    void memoryServiceDownTurnsStillAnswerAndAutoExtractionCatchesUp() throws Exception {
        E2e.User user = e2e.register("forgetful");
        e2e.providerKey(user, "openai", MockProvider.OPENAI, "sk-e2e-faults-not-a-real-key");
        String sid = api.post("/api/v1/sessions", user.accessToken(), Map.of("model", "openai/gpt-4o-mini", "memory_mode", "AUTO"))
                .path("id").asText();
        e2e.platform.stopService("memory-service");
        try {
            Api.Response t = api.post("/api/v1/sessions/" + sid + "/messages", user.accessToken(),
                    Map.of("content", "My bees swarmed twice this spring."));
            assertEquals(201, t.status(), t.text());
            JsonNode context = t.path("assistant_message").path("context");
            assertTrue(context.path("memory_unavailable").asBoolean(), context.toString());
            assertEquals("complete", t.path("assistant_message").path("status").asText());
            // longer than the three quick attempts (1 + 2 + 4 s) that lost extractions before the outbox
            Thread.sleep(8000);
        } finally {
            e2e.platform.restartService("memory-service");
        }
        for (int i = 0; i < 150; i++) {
            Api.Response list = api.get("/api/v1/memories?limit=100", user.accessToken());
            for (JsonNode m : list.path("data")) {
                if (m.path("content").asText().equals(MockProvider.EXTRACTED) && m.path("source").asText().equals("auto")) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the exchange made while memory-service was down was never extracted: "
                + api.get("/api/v1/memories", user.accessToken()).text());
    }

    private static void mockA(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        E2e.get().provider.server.stubFor(post(urlPathEqualTo("/a/v1/chat/completions")).atPriority(1).willReturn(answer));
    }

    private Api.Response routed(String key) {
        return api.post("/v1/chat/completions", key, Map.of("model", E2e.ROUTE,
                "messages", List.of(Map.of("role", "user", "content", "Hello"))));
    }

    @Test
    void aFailingProviderIsRetriedThenFallenBackFromThenCutOffByItsCircuit() throws Exception {
        E2e.User user = e2e.register("routed");
        String key = e2e.accessKey(user);
        var server = e2e.provider.server;
        server.stubFor(post(urlPathEqualTo("/b/v1/chat/completions")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));

        // 429 on the first deployment: retried there, then the second answers
        mockA(aResponse().withStatus(429).withHeader("Content-Type", "application/json").withHeader("retry-after", "0")
                .withBody(OpenAiWire.fixture("error-429.json")));
        Api.Response r = routed(key);
        assertEquals(200, r.status(), r.text());
        assertEquals("mock-b/m1", r.headers().firstValue("x-parley-deployment").orElse(""), "fell back to the second");
        int attemptsA = server.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlPathEqualTo("/a/v1/chat/completions"))).size();
        assertTrue(attemptsA >= 2, "the first deployment was retried: " + attemptsA);

        // 500: the same
        server.resetRequests();
        mockA(aResponse().withStatus(500).withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("error-500.json")));
        r = routed(key);
        assertEquals(200, r.status(), r.text());
        assertEquals("mock-b/m1", r.headers().firstValue("x-parley-deployment").orElse(""));

        // hanging: given up after the deployment's 2 s of silence per attempt, never longer than the call's deadline
        mockA(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(OpenAiWire.fixture("chat-completion.json")).withFixedDelay(60_000));
        long t0 = System.nanoTime();
        r = routed(key);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(200, r.status(), r.text());
        assertEquals("mock-b/m1", r.headers().firstValue("x-parley-deployment").orElse(""));
        assertTrue(took < E2e.ROUTE_DEADLINE_SECONDS * 1000L, "took " + took + " ms, over the call's deadline");

        // by now the first deployment's circuit is open: calls go straight to the second, fast
        for (int i = 0; i < 3; i++) {
            routed(key);
        }
        server.resetRequests();
        t0 = System.nanoTime();
        r = routed(key);
        took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(200, r.status(), r.text());
        assertEquals(0, server.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlPathEqualTo("/a/v1/chat/completions"))).size(), "an open circuit is not called");
        assertTrue(took < 1000, "with the circuit open the fallback is immediate: " + took + " ms");
        String metrics = new Api(e2e.platform.serviceUrl("llm-gateway-service")).get("/q/metrics", null).text();
        assertTrue(metrics.contains("parley_gateway_circuit_opened_total{deployment=\"mock-a/m1\""), "circuit metric");

        // every deployment failing: one clean error in OpenAI's shape, within the deadline
        server.stubFor(post(urlPathEqualTo("/b/v1/chat/completions")).atPriority(1).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("error-500.json"))));
        t0 = System.nanoTime();
        r = routed(key);
        took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(r.status() >= 500 && r.status() < 600, r.status() + " " + r.text());
        assertTrue(r.json().path("error").has("type") && r.json().path("error").has("message"), r.text());
        assertFalse(r.text().contains("sk-e2e-operator"), "no key in the error");
        assertTrue(took < E2e.ROUTE_DEADLINE_SECONDS * 1000L, "took " + took + " ms");
    }

    @Test
    void theGatewayKilledMidStreamLeavesAPartialReplyAndAnErrorEvent() throws Exception {
        E2e.User user = e2e.register("interrupted");
        e2e.providerKey(user, "openai", MockProvider.OPENAI, "sk-e2e-kill-not-a-real-key");
        String sid = api.post("/api/v1/sessions", user.accessToken(), Map.of("model", "openai/gpt-4o-mini", "memory_mode", "DISABLED"))
                .path("id").asText();
        // a slow stream: the fixture's chunks dribbled over 20 s
        byte[] sse = OpenAiWire.fixture("chat-stream.sse").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        e2e.provider.server.stubFor(post(urlPathEqualTo(MockProvider.OPENAI + "/chat/completions")).atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.stream",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(sse).withChunkedDribbleDelay(40, 20_000)));
        java.util.concurrent.CountDownLatch firstDelta = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<List<Api.Event>> stream = CompletableFuture.supplyAsync(() -> api.stream(
                "/api/v1/sessions/" + sid + "/messages", user.accessToken(), Map.of("content", "Tell me slowly"),
                e -> {
                    if (e.name().equals("delta") && !e.json().path("text").asText().isEmpty()) {
                        firstDelta.countDown();
                    }
                }));
        assertTrue(firstDelta.await(30, TimeUnit.SECONDS), "no words streamed");
        e2e.platform.killService("llm-gateway-service");
        List<Api.Event> events;
        try {
            events = stream.get(60, TimeUnit.SECONDS);
        } finally {
            e2e.platform.restartService("llm-gateway-service");
        }
        List<String> names = events.stream().map(Api.Event::name).toList();
        assertEquals("message.created", names.get(0), names.toString());
        assertEquals("error", names.get(names.size() - 1), "the client is told: " + events);
        assertTrue(names.contains("delta"), "part of the answer arrived first: " + names);
        JsonNode error = events.get(events.size() - 1).json();
        assertEquals("STREAM_BROKEN", error.path("error").path("code").asText(), error.toString());
        assertEquals("partial", error.path("message").path("status").asText(), error.toString());
        // the reply is stored as partial, with what arrived
        Api.Response branch = api.get("/api/v1/sessions/" + sid + "/messages", user.accessToken());
        JsonNode reply = branch.path("data").get(branch.path("data").size() - 1);
        assertEquals("assistant", reply.path("role").asText(), branch.text());
        assertEquals("partial", reply.path("status").asText(), reply.toString());
        assertFalse(reply.path("content").asText().isEmpty(), reply.toString());
    }

    /** Turns and reads by 8 clients while a service restarts: counts the answers that were 5xx. */
    private int fiveHundredsWhile(String service, boolean kill) throws Exception {
        E2e.User user = e2e.register("busy");
        String sid = api.post("/api/v1/sessions", user.accessToken(), Map.of("model", "parley/echo", "memory_mode", "DISABLED"))
                .path("id").asText();
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> clients = new java.util.ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int n = c;
            Thread t = new Thread(() -> {
                while (running.get()) {
                    Api.Response r = n % 2 == 0
                            ? api.get("/api/v1/sessions/" + sid + "/messages", user.accessToken())
                            : api.post("/api/v1/sessions/" + sid + "/messages", user.accessToken(), Map.of("content", "still there?"));
                    (r.status() >= 500 ? failures : ok).incrementAndGet();
                }
            });
            t.start();
            clients.add(t);
        }
        Thread.sleep(2000);
        if (kill) {
            e2e.platform.killService(service);
        } else {
            e2e.platform.stopService(service);
        }
        e2e.platform.restartService(service);
        Thread.sleep(2000);
        running.set(false);
        for (Thread t : clients) {
            t.join(60_000);
        }
        assertTrue(ok.get() > 100, "answered: " + ok.get());
        return failures.get();
    }

    @Test
    void aServiceRestartedUnderLoadCostsNoErrorsAndAKilledOneOnlyItsInFlightRequests() throws Exception {
        assertEquals(0, fiveHundredsWhile("session-service", false), "5xx during a graceful restart");
        int killed = fiveHundredsWhile("session-service", true);
        assertTrue(killed <= 8, "5xx after a kill: " + killed + ", more than the 8 requests that can have been in flight");
    }

    @Test
    void postgresqlRestartedUnderTheServicesIsRecoveredWithoutRestartingThem() throws Exception {
        e2e.platform.restartPostgres(3);
        long deadline = System.currentTimeMillis() + 60_000;
        String failure = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                E2e.User user = e2e.register("after-pg");
                String key = e2e.accessKey(user);
                Api.Response s = api.post("/api/v1/sessions", user.accessToken(), Map.of("model", "parley/echo"));
                Api.Response t = api.post("/api/v1/sessions/" + s.path("id").asText() + "/messages", user.accessToken(),
                        Map.of("content", "hello again"));
                Api.Response m = api.post("/api/v1/memories", user.accessToken(), Map.of("content", "Survived a database restart"));
                Api.Response g = api.post("/v1/chat/completions", key, Map.of("model", "parley/echo",
                        "messages", List.of(Map.of("role", "user", "content", "hi"))));
                if (s.status() == 201 && t.status() == 201 && m.status() == 201 && g.status() == 200) {
                    for (int i = 0; i < 60; i++) {
                        if (api.get("/api/v1/usage/cost-estimation", user.accessToken()).path("requests").asInt() >= 2) {
                            return;
                        }
                        Thread.sleep(500);
                    }
                    failure = "usage never arrived";
                } else {
                    failure = s.status() + " " + t.status() + " " + m.status() + " " + g.status() + ": " + t.text();
                }
            } catch (AssertionError | RuntimeException e) {
                failure = e.toString();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the services did not recover from a PostgreSQL restart: " + failure);
    }
}
