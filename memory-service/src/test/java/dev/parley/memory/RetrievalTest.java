package dev.parley.memory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local embedding model, hybrid ranking on a fixture whose order is known, and the context of a prompt. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class RetrievalTest {
    private String token;
    private UUID user;
    private final String service = Tokens.service("session-service");

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    private String remember(String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/memories")
                .then().statusCode(201).extract().path("id");
    }

    private List<List<Float>> embed(Object input) {
        return given().auth().oauth2(service).contentType("application/json")
                .body(Map.of("model", "parley/all-minilm-l6-v2", "input", input)).post("/internal/v1/embeddings")
                .then().statusCode(200).body("object", equalTo("list")).body("model", equalTo("parley/all-minilm-l6-v2"))
                .extract().jsonPath().getList("data.embedding");
    }

    private static double cosine(List<Float> a, List<Float> b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += a.get(i) * b.get(i);
            na += a.get(i) * a.get(i);
            nb += b.get(i) * b.get(i);
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void theLocalModelGives384DimensionVectorsThatPutParaphrasesCloserThanUnrelatedSentences() {
        List<List<Float>> v = embed(List.of("The cat sits on the mat.", "A cat is sitting on a rug.",
                "Quarterly revenue grew by eight percent."));
        assertEquals(3, v.size());
        v.forEach(x -> assertEquals(384, x.size()));
        double paraphrase = cosine(v.get(0), v.get(1));
        double unrelated = cosine(v.get(0), v.get(2));
        assertTrue(paraphrase > 0.6 && unrelated < 0.2 && paraphrase > unrelated + 0.4,
                "paraphrase " + paraphrase + " vs unrelated " + unrelated);
        // the OpenAI shape: a single string, usage, base64 encoding of float32 little-endian
        JsonPath one = given().auth().oauth2(service).contentType("application/json")
                .body(Map.of("model", "parley/all-minilm-l6-v2", "input", "The cat sits on the mat.", "encoding_format", "base64"))
                .post("/internal/v1/embeddings").then().statusCode(200).extract().jsonPath();
        byte[] raw = java.util.Base64.getDecoder().decode(one.getString("data[0].embedding"));
        assertEquals(384 * 4, raw.length);
        float first = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(v.get(0).get(0), first, 1e-6);
        assertTrue(one.getInt("usage.prompt_tokens") > 0);
    }

    @Test
    void embeddingsRefuseBadInputAndUsers() {
        for (String body : List.of("{}", "{\"input\":[]}", "{\"input\":[1,2]}", "{\"input\":\"x\",\"encoding_format\":\"hex\"}",
                "{\"input\":\"x\",\"dimensions\":512}")) {
            given().auth().oauth2(service).contentType("application/json").body(body).post("/internal/v1/embeddings")
                    .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        }
        given().auth().oauth2(service).contentType("application/json").body("{\"model\":\"openai/text-embedding-3-small\",\"input\":\"x\"}")
                .post("/internal/v1/embeddings").then().statusCode(404);
        given().auth().oauth2(token).contentType("application/json").body("{\"input\":\"x\"}").post("/internal/v1/embeddings")
                .then().statusCode(403);
    }

    @Test
    void aSemanticMatchBeatsKeywordNoiseAndImportanceThenRecencyBreakTies() throws Exception {
        // the noise shares every word of the query (and still resembles it for the model), the match shares none
        String allergy = remember("{\"content\":\"My little girl gets hives from peanuts and shellfish\",\"importance\":0.5}");
        String noise = remember("{\"content\":\"Foods, daughters and allergic reactions are three chapters of the biology "
                + "textbook I must return to the library\",\"importance\":0.5}");
        remember("{\"content\":\"The invoice for the daughter company is overdue\",\"importance\":0.5}");
        JsonPath found = given().auth().oauth2(token).contentType("application/json")
                .body("{\"query\":\"Which foods is my daughter allergic to?\",\"limit\":3}").post("/api/v1/memories/search")
                .then().statusCode(200).body("degraded", equalTo(false)).extract().jsonPath();
        List<String> order = found.getList("data.memory.id");
        assertTrue(found.getDouble("data.find { it.memory.id == '" + noise + "' }.text") > 0, "the noise matches the words");
        assertEquals(0.0, found.getDouble("data.find { it.memory.id == '" + allergy + "' }.text"), "the match shares none");
        assertEquals(List.of(allergy, noise), order.subList(0, 2), "the meaning outranks the shared words: " + found.prettify());

        // the same content twice: the more important first; at equal importance the more recent first
        String tea = "{\"content\":\"Prefers green tea over coffee\",\"importance\":%s}";
        String low = remember(tea.formatted("0.2"));
        String high = remember(tea.formatted("0.8"));
        List<String> byImportance = given().auth().oauth2(token).contentType("application/json")
                .body("{\"query\":\"what does the user like to drink\",\"limit\":2}").post("/api/v1/memories/search")
                .then().extract().jsonPath().getList("data.memory.id");
        assertEquals(List.of(high, low), byImportance);
        given().auth().oauth2(token).contentType("application/json").body("{\"importance\":0.8}").patch("/api/v1/memories/" + low)
                .then().statusCode(200);
        age(high, 120);
        List<String> byRecency = given().auth().oauth2(token).contentType("application/json")
                .body("{\"query\":\"what does the user like to drink\",\"limit\":2}").post("/api/v1/memories/search")
                .then().extract().jsonPath().getList("data.memory.id");
        assertEquals(List.of(low, high), byRecency);
    }

    /** Makes a memory look {@code days} old (last updated and used then). */
    private static void age(String id, int days) throws Exception {
        var cfg = ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(cfg.getValue("quarkus.datasource.jdbc.url", String.class),
                cfg.getOptionalValue("quarkus.datasource.username", String.class).orElse(""),
                cfg.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
             var st = c.prepareStatement("update memories set updated_at = now() - make_interval(days => ?), last_used_at = null where id = ?")) {
            st.setInt(1, days);
            st.setObject(2, UUID.fromString(id));
            assertEquals(1, st.executeUpdate());
        }
    }

    @Test
    void theContextHoldsTheUsersAndThisSessionsRelevantMemoriesWithinTheBudget() {
        UUID session = UUID.randomUUID();
        UUID otherSession = UUID.randomUUID();
        String shared = remember("{\"content\":\"The user is vegetarian\",\"importance\":0.9}");
        String here = remember("{\"content\":\"In this chat we are planning a vegetarian dinner for six\",\"session_id\":\"" + session + "\"}");
        String elsewhere = remember("{\"content\":\"Vegetarian dinner ideas were discussed for the office party\",\"session_id\":\"" + otherSession + "\"}");
        remember("{\"content\":\"The user's car is due for service in March\",\"importance\":0.1}");
        io.restassured.response.Response ctxResponse = given().auth().oauth2(service).contentType("application/json")
                .body(Map.of("user_id", user, "session_id", session, "query", "I need ideas for a vegetarian dinner", "token_budget", 500))
                .post("/internal/v1/context");
        ctxResponse.then().statusCode(200).header("Server-Timing",
                org.hamcrest.Matchers.matchesPattern("embed;dur=\\d+\\.\\d\\d, rank;dur=\\d+\\.\\d\\d"));
        JsonPath ctx = ctxResponse.jsonPath();
        List<String> ids = ctx.getList("memories.id");
        assertTrue(ids.containsAll(List.of(shared, here)), ctx.prettify() + given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "I need ideas for a vegetarian dinner", "session_id", session)).post("/api/v1/memories/search").asString());
        assertFalse(ids.contains(elsewhere), "never another session's memory");
        assertEquals(2, ids.size(), "the car is not relevant to dinner: " + ctx.getList("memories"));
        String text = ctx.getString("text");
        assertTrue(text.contains("- The user is vegetarian\n") && text.contains("- In this chat we are planning"), text);
        // a budget that holds the header and one line: only the best one
        JsonPath small = given().auth().oauth2(service).contentType("application/json")
                .body(Map.of("user_id", user, "session_id", session, "query", "I need ideas for a vegetarian dinner", "token_budget", 30))
                .post("/internal/v1/context").then().statusCode(200).extract().jsonPath();
        assertEquals(1, small.getList("memories").size());
        assertTrue(small.getInt("tokens") <= 30);
        // another user has nothing
        assertTrue(given().auth().oauth2(service).contentType("application/json")
                .body(Map.of("user_id", UUID.randomUUID(), "session_id", session, "query", "dinner", "token_budget", 500))
                .post("/internal/v1/context").then().statusCode(200).extract().jsonPath().getList("memories").isEmpty());
        // used memories carry their last use
        assertTrue(given().auth().oauth2(token).get("/api/v1/memories/" + shared).jsonPath().getString("last_used_at") != null);
    }
}
