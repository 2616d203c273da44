package dev.parley.gateway;

import static dev.parley.gateway.ChatCompletionsTest.assertOpenAiError;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static dev.parley.gateway.GatewayFixtures.received;
import static dev.parley.gateway.GatewayFixtures.usageEventsOf;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/v1/routes}: users' and global routes, used by /v1 like the operator's and listed by /v1/models. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class UserRoutesTest {
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
    private UUID user;
    private String token;
    private String primary;
    private String secondary;

    @BeforeEach
    void userWithTwoServers() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = userToken(user);
        primary = "/p-" + user + "/v1";
        secondary = "/s-" + user + "/v1";
        providerKey(user, "primary", "openai_compatible", GatewayStubs.providers().baseUrl() + primary, "sk-primary");
        providerKey(user, "secondary", "openai_compatible", GatewayStubs.providers().baseUrl() + secondary, "sk-secondary");
    }

    /** A user token, the user enabled at auth-service (accessKey stubs the status). */
    private static String userToken(UUID id, String... roles) {
        accessKey(id);
        return Tokens.user(id, "u" + id.toString().substring(0, 8), roles);
    }

    private static Response create(String token, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/routes");
    }

    private static Response chat(String token, String model) {
        return given().auth().oauth2(token).contentType("application/json")
                .body("{\"model\":\"" + model + "\"," + HI + "}").post("/v1/chat/completions");
    }

    private static List<String> modelIds(String token) {
        List<String> ids = new ArrayList<>();
        json(given().auth().oauth2(token).get("/v1/models").then().statusCode(200).extract().asString()).path("data")
                .forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    @Test
    void aUsersRouteFallsBackAlongItsStepsAndMetersTheStepThatServed() {
        Response created = create(token, """
                {"alias":"my/fast","description":"local first","deployments":[
                  {"model":"primary/model-a","timeout":"PT1S"},{"model":"secondary/model-b"}]}""");
        created.then().statusCode(201);
        JsonNode route = json(created.asString());
        assertEquals("user", route.path("scope").asText());
        assertTrue(route.path("id").isTextual() && route.path("created_at").isTextual() && route.path("updated_at").isTextual(), route.toString());
        assertEquals("PT1S", route.path("deployments").path(0).path("timeout").asText());

        OpenAiWire.chatError(GatewayStubs.providers(), primary, 500, "error-500.json", Map.of());
        OpenAiWire.chat(GatewayStubs.providers(), secondary, "chat-completion.json");
        chat(token, "my/fast").then().statusCode(200).header("x-parley-deployment", "secondary/model-b");
        assertEquals(3, received(primary, "/chat/completions").size(), "the first step is retried, then the next one takes over");
        assertEquals("model-b", json(received(secondary, "/chat/completions").get(0).getBodyAsString()).path("model").asText());
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("secondary/model-b", event.path("deployment").asText());
        assertEquals("secondary", event.path("provider").asText());
        assertEquals("model-b", event.path("model").asText());

        assertTrue(modelIds(token).contains("my/fast"));
        UUID other = UUID.randomUUID();
        String otherToken = userToken(other);
        assertFalse(modelIds(otherToken).contains("my/fast"), "a user's route is theirs alone");
        assertOpenAiError(chat(otherToken, "my/fast"), 404, "model_not_found", "model");
    }

    @Test
    void aRouteCanBeReadReplacedAndDeletedByItsOwnerOnly() {
        String id = json(create(token, "{\"alias\":\"my/echo\",\"deployments\":[{\"model\":\"parley/echo\"}]}")
                .then().statusCode(201).extract().asString()).path("id").asText();
        chat(token, "my/echo").then().statusCode(200).header("x-parley-deployment", "parley/echo");
        JsonNode list = json(given().auth().oauth2(token).get("/api/v1/routes").then().statusCode(200).extract().asString());
        assertTrue(list.path("data").findValuesAsText("alias").contains("my/echo"), list.toString());
        JsonNode before = json(given().auth().oauth2(token).get("/api/v1/routes/" + id).then().statusCode(200).extract().asString());

        JsonNode after = json(given().auth().oauth2(token).contentType("application/json")
                .body("{\"alias\":\"my/echo\",\"description\":\"two steps\",\"deployments\":[{\"model\":\"secondary/m\",\"weight\":2},{\"model\":\"parley/echo\",\"weight\":1}]}")
                .put("/api/v1/routes/" + id).then().statusCode(200).extract().asString());
        assertEquals("two steps", after.path("description").asText());
        assertEquals(2, after.path("deployments").size());
        assertEquals(before.path("created_at"), after.path("created_at"));
        assertNotEquals(before.path("updated_at"), after.path("updated_at"));

        String stranger = userToken(UUID.randomUUID());
        given().auth().oauth2(stranger).get("/api/v1/routes/" + id).then().statusCode(404);
        given().auth().oauth2(stranger).contentType("application/json")
                .body("{\"alias\":\"my/echo\",\"deployments\":[{\"model\":\"parley/echo\"}]}")
                .put("/api/v1/routes/" + id).then().statusCode(404);
        given().auth().oauth2(stranger).delete("/api/v1/routes/" + id).then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/routes/not-a-uuid").then().statusCode(404);

        given().auth().oauth2(token).delete("/api/v1/routes/" + id).then().statusCode(204);
        given().auth().oauth2(token).get("/api/v1/routes/" + id).then().statusCode(404);
        assertOpenAiError(chat(token, "my/echo"), 404, "model_not_found", "model"); // this replica forgot it at once
        given().auth().oauth2(token).get("/api/v1/routes").then().statusCode(200);
    }

    private void refused(String body, String field) {
        Response r = create(token, body);
        assertEquals(400, r.statusCode(), body + " → " + r.asString());
        JsonNode error = json(r.asString()).path("error");
        assertEquals("VALIDATION_FAILED", error.path("code").asText(), r.asString());
        assertTrue(error.path("details").path("fields").has(field), field + " named in " + r.asString());
    }

    @Test
    void badRoutesAreRefusedNamingTheField() {
        refused("{\"alias\":\"fast\",\"deployments\":[{\"model\":\"parley/echo\"}]}", "alias");
        refused("{\"alias\":\"openai/fast\",\"deployments\":[{\"model\":\"parley/echo\"}]}", "alias");
        refused("{\"alias\":\"parley/fast\",\"deployments\":[{\"model\":\"parley/echo\"}]}", "alias");
        refused("{\"alias\":\"mock/fast\",\"deployments\":[{\"model\":\"parley/echo\"}]}", "alias");
        refused("{\"alias\":\"primary/fast\",\"deployments\":[{\"model\":\"parley/echo\"}]}", "alias");
        refused("{\"alias\":\"my/x\",\"deployments\":[]}", "deployments");
        refused("{\"alias\":\"my/x\"}", "deployments");
        StringBuilder eleven = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            eleven.append(i > 0 ? "," : "").append("{\"model\":\"parley/echo\"}");
        }
        refused("{\"alias\":\"my/x\",\"deployments\":[" + eleven + "]}", "deployments");
        refused("{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"t/chain\"}]}", "deployments[0].model");
        refused("{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"echo\"}]}", "deployments[0].model");
        refused("{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"nobody/model\"}]}", "deployments[0].model");
        refused("{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"parley/echo\",\"timeout\":\"5s\"}]}", "deployments[0].timeout");
        refused("{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"parley/echo\",\"weight\":0}]}", "deployments[0].weight");
        refused("{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"parley/echo\"}],\"colour\":\"red\"}", "colour");
        create(token, "{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"parley/echo\"}]}").then().statusCode(201);
        refused("{\"alias\":\"my/y\",\"deployments\":[{\"model\":\"my/x\"}]}", "deployments[0].model");
        Response twice = create(token, "{\"alias\":\"my/x\",\"deployments\":[{\"model\":\"parley/echo\"}]}");
        assertEquals(409, twice.statusCode(), twice.asString());
        assertEquals("ROUTE_ALIAS_TAKEN", json(twice.asString()).path("error").path("code").asText());
        given().auth().oauth2(token).contentType("application/json").body("[]").post("/api/v1/routes").then().statusCode(400);
    }

    @Test
    void adminsDefineGlobalRoutesThatAUsersOwnAliasOverrides() {
        UUID adminId = UUID.randomUUID();
        String admin = userToken(adminId, "admin");
        String alias = "team-" + user.toString().substring(0, 8) + "/echo";
        create(token, "{\"alias\":\"" + alias + "\",\"scope\":\"global\",\"deployments\":[{\"model\":\"parley/echo\"}]}")
                .then().statusCode(403);
        JsonNode global = json(create(admin, "{\"alias\":\"" + alias + "\",\"scope\":\"global\",\"deployments\":[{\"model\":\"parley/echo\"}]}")
                .then().statusCode(201).extract().asString());
        assertEquals("global", global.path("scope").asText());
        String id = global.path("id").asText();

        String someone = userToken(UUID.randomUUID());
        chat(someone, alias).then().statusCode(200).header("x-parley-deployment", "parley/echo");
        assertTrue(modelIds(someone).contains(alias));
        given().auth().oauth2(someone).get("/api/v1/routes/" + id).then().statusCode(200);
        given().auth().oauth2(someone).delete("/api/v1/routes/" + id).then().statusCode(403);

        OpenAiWire.chat(GatewayStubs.providers(), secondary, "chat-completion.json");
        create(token, "{\"alias\":\"" + alias + "\",\"deployments\":[{\"model\":\"secondary/mine\"}]}").then().statusCode(201);
        chat(token, alias).then().statusCode(200).header("x-parley-deployment", "secondary/mine");
        chat(someone, alias).then().statusCode(200).header("x-parley-deployment", "parley/echo");

        given().auth().oauth2(admin).delete("/api/v1/routes/" + id).then().statusCode(204);
        assertOpenAiError(chat(someone, alias), 404, "model_not_found", "model");
    }
}
