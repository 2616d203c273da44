package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code "thinking"} on a turn, a regeneration, a session and a one-off completion goes to the gateway as
 * {@code thinking}; the reasoning the gateway answers ({@code message.reasoning_content}, streamed
 * {@code delta.reasoning_content}) is stored in the message's own column, returned as {@code reasoning}, streamed as
 * {@code reasoning.delta} events, never mixed into the content and never sent back to the model.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class ThinkingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "anthropic/claude-sonnet-4-5";
    private static final String REASONING = "The user greets me; a short greeting back is right.";
    private static final String ANSWER = "Hello! What shall we work on?";

    @Inject
    DataSource db;

    private UUID user;
    private String token;

    @BeforeEach
    void newUserAndAThinkingModel() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "thinker");
        SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + MODEL)).willReturn(okJson(
                "{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"x\",\"context_window\":200000}")));
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withHeader("x-parley-deployment", MODEL)
                        .withBody(completion(REASONING, ANSWER))));
    }

    /** A chat completion in OpenAI's shape with the reasoning beside the content, as the gateway answers for thinking models. */
    static String completion(String reasoning, String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1747215840,\"model\":\"" + MODEL + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\",\"reasoning_content\":\""
                + reasoning + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30,\"total_tokens\":42,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":21}}}";
    }

    private String session(String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("id");
    }

    private Response send(String session, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions/" + session + "/messages");
    }

    /** The bodies of this user's calls to the gateway that make a turn's reply (they name the reply's message id). */
    private List<JsonNode> turnCalls() {
        List<JsonNode> out = new ArrayList<>();
        for (LoggedRequest r : SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString())).withHeader("X-Parley-Message-Id", WireMock.matching(".+")))) {
            out.add(json(r.getBodyAsString()));
        }
        return out;
    }

    private List<JsonNode> allCalls() {
        List<JsonNode> out = new ArrayList<>();
        for (LoggedRequest r : SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString())))) {
            out.add(json(r.getBodyAsString()));
        }
        return out;
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The message's row as PostgreSQL holds it: content and reasoning. */
    private String[] row(String messageId) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select content, reasoning from messages where id = ?")) {
            ps.setObject(1, UUID.fromString(messageId));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the message is stored");
                return new String[] {rs.getString(1), rs.getString(2)};
            }
        }
    }

    @Test
    void theOpenApiDocumentSaysThinkingIsABooleanOrABudget() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").asString());
        for (String body : List.of("NewMessage", "Regeneration", "SessionFields", "TextCompletion")) {
            JsonNode thinking = doc.path("components").path("schemas").path(body).path("properties").path("thinking");
            assertEquals("#/components/schemas/Thinking", thinking.path("$ref").asText(), body + ": " + thinking);
            assertFalse(thinking.has("type"), body + ": " + thinking);
        }
        JsonNode thinking = doc.path("components").path("schemas").path("Thinking");
        assertEquals("boolean", thinking.path("oneOf").path(0).path("type").asText(), thinking.toString());
        assertEquals("integer", thinking.path("oneOf").path(1).path("properties").path("budget_tokens").path("type").asText());
        {
        }
    }

    @Test
    void thinkingGoesOutAndTheReasoningIsStoredApartAndNeverSentBack() throws Exception {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        JsonPath t = send(s, "{\"content\":\"Hi!\",\"thinking\":true}").then().statusCode(201).extract().jsonPath();
        assertEquals(ANSWER, t.getString("assistant_message.content"));
        assertEquals(REASONING, t.getString("assistant_message.reasoning"));
        assertTrue(turnCalls().get(0).path("thinking").asBoolean(), "sent as thinking: " + turnCalls().get(0));

        String[] stored = row(t.getString("assistant_message.id"));
        assertEquals(ANSWER, stored[0], "the content column holds the reply alone");
        assertEquals(REASONING, stored[1], "the reasoning has its own column");
        assertEquals(REASONING, given().auth().oauth2(token).get("/api/v1/messages/" + t.getString("assistant_message.id"))
                .jsonPath().getString("reasoning"));

        // the next turn's history carries the reply's content only, and a turn without thinking sends none
        send(s, "{\"content\":\"And now?\"}").then().statusCode(201);
        JsonNode second = turnCalls().get(1);
        assertFalse(second.toString().contains(REASONING), "the reasoning is never sent back: " + second);
        assertEquals(ANSWER, second.path("messages").path(1).path("content").asText());
        assertTrue(second.path("thinking").isMissingNode(), "no thinking unless asked: " + second);
        // nor does the title writer or the memory extraction see it
        for (JsonNode call : allCalls()) {
            assertTrue(call.path("messages").toString().indexOf(REASONING) < 0, call.toString());
        }
    }

    @Test
    void aBudgetTheSessionsSettingAndTheTurnsOverrideAreSentAsThinking() {
        String s = session("{\"model\":\"" + MODEL + "\",\"thinking\":{\"budget_tokens\":2048}}");
        given().auth().oauth2(token).get("/api/v1/sessions/" + s).then().statusCode(200)
                .body("thinking.budget_tokens", org.hamcrest.Matchers.equalTo(2048));
        send(s, "{\"content\":\"one\"}").then().statusCode(201);
        assertEquals(2048, turnCalls().get(0).path("thinking").path("budget_tokens").asInt(), "the session's setting");
        send(s, "{\"content\":\"two\",\"thinking\":false}").then().statusCode(201);
        assertTrue(turnCalls().get(1).path("thinking").isBoolean() && !turnCalls().get(1).path("thinking").asBoolean(),
                "the turn's false wins: " + turnCalls().get(1));
        send(s, "{\"content\":\"three\",\"llm_params\":{\"thinking\":true}}").then().statusCode(201);
        assertTrue(turnCalls().get(2).path("thinking").asBoolean(), "llm_params.thinking over the session's setting");

        given().auth().oauth2(token).contentType("application/json").body("{\"thinking\":null}").patch("/api/v1/sessions/" + s)
                .then().statusCode(200).body("thinking", org.hamcrest.Matchers.nullValue());
        JsonPath last = send(s, "{\"content\":\"four\"}").then().statusCode(201).extract().jsonPath();
        assertTrue(turnCalls().get(3).path("thinking").isMissingNode(), "cleared: " + turnCalls().get(3));

        // regenerating with thinking: this answer only
        given().auth().oauth2(token).contentType("application/json").body("{\"thinking\":{\"budget_tokens\":512}}")
                .post("/api/v1/messages/" + last.getString("assistant_message.id") + "/regenerate")
                .then().statusCode(201).body("reasoning", org.hamcrest.Matchers.equalTo(REASONING));
        assertEquals(512, turnCalls().get(4).path("thinking").path("budget_tokens").asInt());
    }

    @Test
    void aOneOffCompletionSendsThinkingAndAnswersTheReasoningApart() {
        Response r = given().auth().oauth2(token).contentType("application/json")
                .body("{\"text\":\"Hi!\",\"model\":\"" + MODEL + "\",\"thinking\":true}").post("/api/v1/llm/text-completion");
        r.then().statusCode(200);
        assertEquals(ANSWER, r.jsonPath().getString("text"));
        assertEquals(REASONING, r.jsonPath().getString("reasoning"));
        assertTrue(allCalls().get(0).path("thinking").asBoolean());
        given().auth().oauth2(token).multiPart("prompt", "What is it?").multiPart("model", MODEL).multiPart("thinking", "{\"budget_tokens\":99}")
                .multiPart("image", "p.png", TurnTestImages.PNG, "image/png").post("/api/v1/llm/image-completion")
                .then().statusCode(200).body("reasoning", org.hamcrest.Matchers.equalTo(REASONING));
        assertEquals(99, allCalls().get(1).path("thinking").path("budget_tokens").asInt());
    }

    @Test
    void aStreamedTurnSendsTheReasoningAsItsOwnEventsAndStoresItApart() throws Exception {
        StringBuilder sse = new StringBuilder();
        for (String piece : List.of("The user ", "greets me.")) {
            sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"reasoning_content\":\"").append(piece).append("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }
        for (String piece : List.of("Hello", " there")) {
            sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"").append(piece).append("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }
        sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(sse.toString())));
        String s = session("{\"model\":\"" + MODEL + "\"}");
        String body = given().auth().oauth2(token).contentType("application/json").accept("text/event-stream")
                .body("{\"content\":\"Hi!\",\"thinking\":{\"budget_tokens\":1024}}").post("/api/v1/sessions/" + s + "/messages")
                .then().statusCode(200).extract().asString();
        StringBuilder reasoning = new StringBuilder();
        StringBuilder text = new StringBuilder();
        List<String> events = new ArrayList<>();
        JsonNode completed = null;
        String event = null;
        for (String line : body.split("\n")) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
                events.add(event);
            } else if (line.startsWith("data: ")) {
                JsonNode d = json(line.substring(6));
                switch (event) {
                    case "reasoning.delta" -> reasoning.append(d.path("text").asText());
                    case "delta" -> text.append(d.path("text").asText());
                    case "message.completed" -> completed = d;
                    default -> { }
                }
            }
        }
        assertEquals(List.of("message.created", "reasoning.delta", "reasoning.delta", "delta", "delta", "message.completed"), events);
        assertEquals("The user greets me.", reasoning.toString());
        assertEquals("Hello there", text.toString());
        assertEquals("Hello there", completed.path("content").asText());
        assertEquals("The user greets me.", completed.path("reasoning").asText());
        assertEquals(1024, turnCalls().get(0).path("thinking").path("budget_tokens").asInt());
        String[] stored = row(completed.path("id").asText());
        assertEquals("Hello there", stored[0]);
        assertEquals("The user greets me.", stored[1]);
    }

    @Test
    void thinkingIsTrueFalseOrABudgetAndAnythingElseIs400NamingTheField() {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        for (String bad : List.of("\"yes\"", "1", "[]", "{}", "{\"budget_tokens\":0}", "{\"budget_tokens\":\"5\"}",
                "{\"budget_tokens\":1.5}", "{\"budget_tokens\":5,\"effort\":\"high\"}", "{\"budget\":100}")) {
            send(s, "{\"content\":\"x\",\"thinking\":" + bad + "}").then().statusCode(400)
                    .body("error.code", org.hamcrest.Matchers.equalTo("VALIDATION_FAILED"))
                    .body("error.details.fields.thinking", org.hamcrest.Matchers.notNullValue());
            given().auth().oauth2(token).contentType("application/json").body("{\"thinking\":" + bad + "}").patch("/api/v1/sessions/" + s)
                    .then().statusCode(400).body("error.details.fields.thinking", org.hamcrest.Matchers.notNullValue());
        }
        given().auth().oauth2(token).contentType("application/json").body("{\"text\":\"x\",\"thinking\":\"on\"}")
                .post("/api/v1/llm/text-completion").then().statusCode(400);
        assertTrue(turnCalls().isEmpty(), "nothing reached the gateway");
        assertEquals(0, given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").size());
    }
}
