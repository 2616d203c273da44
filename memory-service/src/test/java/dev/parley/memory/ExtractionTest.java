package dev.parley.memory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AUTO extraction against a WireMock'd gateway answering chat completions in OpenAI's wire format whose content is
 * the model's structured JSON: ADD, UPDATE (history kept), NOOP, and the two known failures of a popular memory
 * system (re-stating a known fact must not delete it; a contradiction must not drop the new fact).
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class ExtractionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String service = Tokens.service("session-service");
    private UUID user;
    private String token;
    private final UUID session = UUID.randomUUID();

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    /** The gateway answers this user's chat calls with {@code decisions} as the assistant's content. */
    private void modelAnswers(String decisions) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(OpenAiWire.fixture("chat-completion.json"));
        ((ObjectNode) body.path("choices").path(0).path("message")).put("content", decisions);
        MemoryStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(body))));
    }

    private String remember(String content) {
        return given().auth().oauth2(token).contentType("application/json").body(Map.of("content", content))
                .post("/api/v1/memories").then().statusCode(201).extract().path("id");
    }

    private void exchange(String userText, String assistantText) {
        given().auth().oauth2(service).contentType("application/json").body(Map.of("user_id", user, "session_id", session,
                        "messages", List.of(Map.of("id", UUID.randomUUID(), "role", "user", "content", userText),
                                Map.of("id", UUID.randomUUID(), "role", "assistant", "content", assistantText))))
                .post("/internal/v1/extract").then().statusCode(202);
    }

    private List<LoggedRequest> calls() {
        return MemoryStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString())));
    }

    private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done) throws Exception {
        long until = System.currentTimeMillis() + 15_000;
        T v = probe.get();
        while (!done.test(v) && System.currentTimeMillis() < until) {
            Thread.sleep(100);
            v = probe.get();
        }
        return v;
    }

    /** A counter's value from /q/metrics (0 when it has not been created yet). */
    private static double metric(String series) {
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split("\\s+")[0]); // an exemplar may follow
            }
        }
        return 0;
    }

    private JsonPath memories() {
        return given().auth().oauth2(token).get("/api/v1/memories").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aNewFactIsAddedFromTheExchangeThroughTheGatewayActingForTheUser() throws Exception {
        modelAnswers("""
                {"memories":[{"action":"ADD","content":"The user moved to Lyon in October","type":"fact","importance":0.7,"keywords":["Lyon","home"]}]}""");
        exchange("I moved to Lyon last month, any tips?", "Welcome to Lyon! Try the traboules.");
        JsonPath m = await(this::memories, j -> !j.getList("data").isEmpty());
        assertEquals("The user moved to Lyon in October", m.getString("data[0].content"));
        assertEquals("auto", m.getString("data[0].source"));
        assertEquals("user", m.getString("data[0].scope"));
        assertEquals(List.of("lyon", "home"), m.getList("data[0].keywords"));
        assertEquals(2, m.getList("data[0].related_message_ids").size());
        LoggedRequest call = calls().get(0);
        assertEquals(session.toString(), call.getHeader("X-Parley-Session-Id"));
        JsonNode claims = JSON.readTree(java.util.Base64.getUrlDecoder().decode(call.getHeader("Authorization").substring(7).split("\\.")[1]));
        assertEquals("service", claims.path("groups").path(0).asText(), "the service token, not a user's");
        JsonNode req = JSON.readTree(call.getBodyAsString());
        assertEquals(MemoryStubs.EXTRACTION_MODEL, req.path("model").asText());
        String prompt = req.path("messages").toString();
        assertTrue(prompt.contains("I moved to Lyon last month") && prompt.contains("EXISTING memories"), prompt);
    }

    @Test
    void aContradictionReplacesTheMemoryAndKeepsTheOldVersion() throws Exception {
        String paris = remember("The user lives in Paris");
        modelAnswers("{\"memories\":[{\"action\":\"UPDATE\",\"memoryId\":\"" + paris + "\",\"content\":\"The user lives in Lyon\"}]}");
        exchange("Actually I don't live in Paris any more, I moved to Lyon.", "Noted!");
        JsonPath m = await(this::memories, j -> j.getString("data[0].content").contains("Lyon"));
        assertEquals(List.of("The user lives in Lyon"), m.getList("data.content"), "replaced, not added beside");
        assertEquals(paris, m.getString("data[0].id"));
        given().auth().oauth2(token).get("/api/v1/memories/" + paris + "/history").then().statusCode(200)
                .body("data.content", org.hamcrest.Matchers.equalTo(List.of("The user lives in Paris")))
                .body("data[0].source", org.hamcrest.Matchers.equalTo("auto"));
        // the model was shown the existing memory with its id
        assertTrue(calls().get(0).getBodyAsString().contains(paris + ": The user lives in Paris"));
    }

    @Test
    void reStatingAKnownFactNeverDeletesIt() throws Exception {
        String tea = remember("The user prefers green tea");
        // NOOP, an action this service does not have (a model may answer DELETE for a duplicate), and an ADD of
        // the same fact in other words: the memory stays, once
        modelAnswers("{\"memories\":[{\"action\":\"NOOP\",\"memoryId\":\"" + tea + "\"},"
                + "{\"action\":\"DELETE\",\"memoryId\":\"" + tea + "\"},"
                + "{\"action\":\"ADD\",\"content\":\"The user prefers green tea.\"}]}");
        double noopsBefore = metric("parley_memory_extraction_decisions_total{action=\"noop\"}");
        exchange("As you know, I like green tea.", "Yes, green tea it is.");
        // the worker has applied all three decisions (each a noop) before the memories are read
        await(() -> metric("parley_memory_extraction_decisions_total{action=\"noop\"}"), v -> v >= noopsBefore + 3);
        assertEquals(noopsBefore + 3, metric("parley_memory_extraction_decisions_total{action=\"noop\"}"));
        assertEquals(List.of("The user prefers green tea"), memories().getList("data.content"));
        given().auth().oauth2(token).get("/api/v1/memories/" + tea + "/history").then().body("data", org.hamcrest.Matchers.hasSize(0));
    }

    @Test
    void aContradictionOfAMemoryTheModelWasNotShownIsKeptAsANewFact() throws Exception {
        remember("The user's favourite colour is blue");
        String unknown = UUID.randomUUID().toString();
        modelAnswers("{\"memories\":[{\"action\":\"UPDATE\",\"memoryId\":\"" + unknown + "\",\"content\":\"The user's favourite colour is now green\"}]}");
        exchange("My favourite colour is green now.", "Green it is.");
        JsonPath m = await(this::memories, j -> j.getList("data").size() == 2);
        assertTrue(m.getList("data.content").contains("The user's favourite colour is now green"), m.prettify());
    }

    @Test
    void aModelAnswerThatIsNotJsonIsRetriedABoundedNumberOfTimesThenDropped() throws Exception {
        modelAnswers("Sorry, I cannot help with that.");
        exchange("Remember that my cat is called Miso.", "Sure.");
        await(this::calls, c -> c.size() >= 3);
        Thread.sleep(1500);
        assertEquals(3, calls().size(), "extraction-attempts (3), never more");
        assertTrue(memories().getList("data").isEmpty());
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("parley_memory_extractions_total{outcome=\"dropped\",reason=\"attempts\"}"), metrics);
    }

    @Test
    void theOperatorsExtractionModelWinsOverTheOneProposed() throws Exception {
        modelAnswers("{\"memories\":[{\"action\":\"ADD\",\"content\":\"The user plays the cello\"}]}");
        UUID reply = UUID.randomUUID();
        given().auth().oauth2(service).contentType("application/json").body(Map.of("user_id", user, "session_id", session,
                        "message_id", reply, "model", "anthropic/claude-3-5-haiku",
                        "messages", List.of(Map.of("id", UUID.randomUUID(), "role", "user", "content", "I play the cello."),
                                Map.of("id", reply, "role", "assistant", "content", "Lovely."))))
                .post("/internal/v1/extract").then().statusCode(202);
        await(this::calls, c -> !c.isEmpty());
        assertEquals(MemoryStubs.EXTRACTION_MODEL, JSON.readTree(calls().get(0).getBodyAsString()).path("model").asText());
        JsonPath outcome = await(() -> given().auth().oauth2(service).queryParam("user_id", user)
                .get("/internal/v1/extractions/" + reply).then().extract().jsonPath(), j -> "done".equals(j.getString("status")));
        assertEquals("done", outcome.getString("status"));
        assertEquals(MemoryStubs.EXTRACTION_MODEL, outcome.getString("model"));
    }

    @Test
    void badExtractRequestsAre400AndUsersCannotCallIt() {
        for (String body : List.of("{}", "{\"user_id\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"user_id\":\"" + user + "\",\"messages\":[]}", "{\"user_id\":\"" + user + "\",\"messages\":[{\"content\":5}]}")) {
            given().auth().oauth2(service).contentType("application/json").body(body).post("/internal/v1/extract")
                    .then().statusCode(400).body("error.code", org.hamcrest.Matchers.equalTo("VALIDATION_FAILED"));
        }
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"user_id\":\"" + user + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/internal/v1/extract").then().statusCode(403);
    }
}
