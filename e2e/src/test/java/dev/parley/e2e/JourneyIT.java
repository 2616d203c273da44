package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** What a user sees, journey by journey, through the ingress. */
@Order(1)
class JourneyIT {
    private final E2e e2e = E2e.get();
    private final Api api = e2e.api;

    @Test
    void aConversationFromRegistrationToLogout() throws Exception {
        E2e.User alice = e2e.register("alice");
        String token = alice.accessToken();
        e2e.providerKey(alice, "openai", MockProvider.OPENAI, "sk-e2e-journey-not-a-real-key");
        String accessKey = e2e.accessKey(alice);
        assertTrue(accessKey.startsWith("pk-"), accessKey);

        // a session with a system prompt, AUTO memories
        Api.Response s = api.post("/api/v1/sessions", token, Map.of("title", "Bees", "system_prompt",
                "You are a concise beekeeping assistant.", "model", "openai/gpt-4o-mini", "memory_mode", "AUTO"));
        assertEquals(201, s.status(), s.text());
        String sid = s.path("id").asText();

        // a streamed turn: the user message, deltas, the completed reply
        List<Api.Event> events = api.stream("/api/v1/sessions/" + sid + "/messages", token,
                Map.of("content", "I keep bees on my roof in Lisbon. How often should I inspect the hives?"));
        List<String> names = events.stream().map(Api.Event::name).toList();
        assertEquals("message.created", names.get(0), names.toString());
        assertEquals("message.completed", names.get(names.size() - 1), names.toString());
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> e.name().equals("delta")).forEach(e -> text.append(e.json().path("text").asText()));
        JsonNode reply1 = events.get(events.size() - 1).json();
        String u1 = events.get(0).json().path("id").asText();
        String a1 = reply1.path("id").asText();
        assertEquals("Hello! How can I help you today?", text.toString(), "the mock's streamed words");
        Api.Response stored = api.get("/api/v1/messages/" + a1, token);
        assertEquals(200, stored.status(), stored.text());
        assertEquals(text.toString(), stored.path("content").asText());
        assertEquals("complete", stored.path("status").asText());

        // a second turn, then an edit of it (a branch from the first reply), then a regeneration
        Api.Response t2 = api.post("/api/v1/sessions/" + sid + "/messages", token, Map.of("content", "And in winter?"));
        assertEquals(201, t2.status(), t2.text());
        String u2 = t2.path("user_message").path("id").asText();
        Api.Response edit = api.post("/api/v1/sessions/" + sid + "/messages", token,
                Map.of("content", "And in early spring?", "parent_message_id", a1));
        assertEquals(201, edit.status(), edit.text());
        String u2b = edit.path("user_message").path("id").asText();
        String a2b = edit.path("assistant_message").path("id").asText();
        Api.Response regen = api.post("/api/v1/messages/" + a2b + "/regenerate", token, null);
        assertEquals(201, regen.status(), regen.text());
        String a2c = regen.path("id").asText();
        assertNotEquals(a2b, a2c);

        // the active branch and the tree
        Api.Response branch = api.get("/api/v1/sessions/" + sid + "/messages", token);
        List<String> ids = new ArrayList<>();
        branch.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertEquals(List.of(u1, a1, u2b, a2c), ids, "the edited branch with the regenerated reply is active");
        Api.Response tree = api.get("/api/v1/sessions/" + sid + "/messages?view=tree", token);
        Map<String, String> parents = new HashMap<>();
        tree.path("data").forEach(m -> parents.put(m.path("id").asText(), m.path("parent_message_id").asText(null)));
        assertEquals(7, parents.size(), tree.text());
        assertEquals(a1, parents.get(u2));
        assertEquals(a1, parents.get(u2b));
        assertEquals(u2b, parents.get(a2c));
        assertEquals(u2b, parents.get(a2b));
        Api.Response history = api.get("/api/v1/messages/" + a2c + "/history", token);
        assertEquals(4, history.path("data").size(), history.text());

        // a memory written by hand is injected into a turn about it, and the reply's context names it
        Api.Response mem = api.post("/api/v1/memories", token, Map.of("content", "My favourite honey is orange blossom honey",
                "type", "preference"));
        assertEquals(201, mem.status(), mem.text());
        String mid = mem.path("id").asText();
        Api.Response t3 = api.post("/api/v1/sessions/" + sid + "/messages", token,
                Map.of("content", "Which honey should I buy for my tea?"));
        assertEquals(201, t3.status(), t3.text());
        JsonNode context = t3.path("assistant_message").path("context");
        assertTrue(context.path("memory_ids").toString().contains(mid), context.toString());
        assertFalse(context.path("memory_unavailable").asBoolean(true), context.toString());

        // AUTO: memory-service extracted a memory from the turns (the mocked model's answer)
        JsonNode auto = waitForMemory(token, MockProvider.EXTRACTED);
        assertEquals("auto", auto.path("source").asText(), auto.toString());

        // usage: every call of this session metered with the mock's tokens and the catalogue's price
        Api.Response usage = api.get("/api/v1/usage/messages/" + a1, token);
        for (int i = 0; i < 50 && usage.status() == 404; i++) {
            Thread.sleep(200);
            usage = api.get("/api/v1/usage/messages/" + a1, token);
        }
        assertEquals(200, usage.status(), usage.text());
        JsonNode call = E2e.only(usage.path("data"));
        assertEquals(11, call.path("prompt_tokens").asInt(), call.toString());
        assertEquals(9, call.path("completion_tokens").asInt(), call.toString());
        BigDecimal expected = price("gpt-4o-mini", 11, 9);
        assertEquals(0, expected.compareTo(new BigDecimal(call.path("cost_usd").asText())), expected + " vs " + usage.text());
        // reports give totals in micro-dollars
        assertEquals(0, micro(expected).compareTo(new BigDecimal(usage.path("total_cost_usd").asText())), usage.text());
        // the session's calls: the four turns' replies and the regeneration, each 11 + 9 tokens (titles and
        // extraction are the session's too, through the gateway, with the same mocked usage)
        Api.Response est = awaitSessionRequests(token, sid, 5);
        int requests = est.path("requests").asInt();
        assertEquals(11L * requests, est.path("prompt_tokens").asLong(), est.text());
        assertEquals(9L * requests, est.path("completion_tokens").asLong(), est.text());
        assertEquals(0, est.path("unpriced_requests").asInt(), est.text());
        assertEquals("openai/gpt-4o-mini", E2e.only(est.path("breakdown")).path("model").asText(), est.text());
        assertEquals(0, micro(price("gpt-4o-mini", 11L * requests, 9L * requests))
                .compareTo(new BigDecimal(est.path("total_cost_usd").asText())), est.text());

        // logout: the refresh token is dead
        assertEquals(204, api.post("/api/v1/auth/logout", token, Map.of("refresh_token", alice.refreshToken())).status());
        Api.Response refresh = api.post("/api/v1/auth/refresh", null, Map.of("refresh_token", alice.refreshToken()));
        assertEquals(401, refresh.status(), refresh.text());
        assertTrue(refresh.path("error").has("code"), refresh.text());
    }

    @Test
    void anthropicAndGeminiBackedModelsAnswerThroughTheSameApi() {
        E2e.User bob = e2e.register("bob");
        e2e.providerKey(bob, "anthropic", MockProvider.ANTHROPIC, "sk-ant-e2e-not-a-real-key");
        e2e.providerKey(bob, "gemini", MockProvider.GEMINI, "AIza-e2e-not-a-real-key");
        for (String model : List.of("anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash")) {
            Api.Response s = api.post("/api/v1/sessions", bob.accessToken(), Map.of("model", model, "memory_mode", "DISABLED"));
            assertEquals(201, s.status(), s.text());
            Api.Response t = api.post("/api/v1/sessions/" + s.path("id").asText() + "/messages", bob.accessToken(),
                    Map.of("content", "What is the capital of France?"));
            assertEquals(201, t.status(), model + ": " + t.text());
            JsonNode reply = t.path("assistant_message");
            assertEquals("The capital of France is Paris.", reply.path("content").asText(), model);
            assertEquals(model.substring(0, model.indexOf('/')), reply.path("provider").asText(), reply.toString());
            // streamed too
            List<Api.Event> events = api.stream("/api/v1/sessions/" + s.path("id").asText() + "/messages", bob.accessToken(),
                    Map.of("content", "Again, streamed?"));
            assertEquals("message.completed", events.get(events.size() - 1).name(), model + ": " + events);
            assertFalse(events.get(events.size() - 1).json().path("content").asText().isEmpty(), model);
        }
    }

    @Test
    void aSecondPlatformRefusesToStartWhileThisOneHoldsThePorts() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> dev.parley.devstack.Platform.start(Path.of(".."), Path.of("target", "e2e-second-home"), Map.of()));
        assertTrue(e.getMessage().contains("already in use"), e.getMessage());
        assertTrue(e.getMessage().contains("8081"), e.getMessage());
        // and this one is unharmed
        assertEquals(200, api.get("/.well-known/jwks.json", null).status());
    }

    private JsonNode waitForMemory(String token, String content) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Api.Response list = api.get("/api/v1/memories?limit=100", token);
            for (JsonNode m : list.path("data")) {
                if (m.path("content").asText().equals(content)) {
                    return m;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no AUTO memory '" + content + "' after 20 s: " + api.get("/api/v1/memories", token).text());
    }

    private Api.Response awaitSessionRequests(String token, String sid, int atLeast) throws InterruptedException {
        Api.Response est = null;
        for (int i = 0; i < 100; i++) {
            est = api.get("/api/v1/usage/cost-estimation?group_by=model&session_id=" + sid, token);
            if (est.status() == 200 && est.path("requests").asInt() >= atLeast) {
                return est;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("usage of the session did not arrive: " + (est == null ? "" : est.text()));
    }

    static BigDecimal micro(BigDecimal usd) {
        return usd.setScale(6, RoundingMode.HALF_EVEN);
    }

    /** USD for the tokens at the bundled catalogue's newest price of the model (per million tokens). */
    static BigDecimal price(String model, long prompt, long completion) throws java.io.IOException {
        JsonNode catalogue = Api.JSON.readTree(Path.of("..", "usage-service", "src", "main", "resources", "pricing",
                "prices.json").toFile());
        JsonNode best = null;
        for (JsonNode p : catalogue.path("prices")) {
            if (p.path("model").asText().equals(model) && (best == null
                    || p.path("effective_from").asText().compareTo(best.path("effective_from").asText()) > 0)) {
                best = p;
            }
        }
        if (best == null) {
            throw new AssertionError("no price for " + model);
        }
        BigDecimal in = new BigDecimal(best.path("input_per_mtok").asText());
        BigDecimal out = new BigDecimal(best.path("output_per_mtok").asText());
        return in.multiply(BigDecimal.valueOf(prompt)).add(out.multiply(BigDecimal.valueOf(completion)))
                .divide(BigDecimal.valueOf(1_000_000), 10, RoundingMode.HALF_UP);
    }
}
