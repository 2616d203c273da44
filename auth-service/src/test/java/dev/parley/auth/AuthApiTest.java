package dev.parley.auth;

import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.testsupport.LogCapture;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AuthApiTest {
    private static final String PASSWORD = "correct-horse-battery";

    private static String uniqueName(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Response register(String username, String password) {
        return given().contentType("application/json")
                .body(Map.of("username", username, "password", password))
                .when().post("/api/v1/auth/register");
    }

    @Test
    void registerReturnsATokenPairAndMeShowsTheAccount() {
        String name = uniqueName("alice");
        JsonPath reg = register(name, PASSWORD).then().statusCode(201)
                .header("Cache-Control", containsString("no-store"))
                .body("user.id", notNullValue())
                .body("user.username", equalTo(name))
                .body("user.roles", equalTo(List.of("user")))
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(900))
                .body("refresh_token", startsWith("prt_"))
                .body("$", not(hasKey("password")))
                .extract().jsonPath();

        String access = reg.getString("access_token");
        Map<String, Object> claims = claims(access);
        assertEquals("parley", claims.get("iss"));
        assertEquals(reg.getString("user.id"), claims.get("sub"));
        assertEquals(name, claims.get("upn"));
        assertEquals(List.of("user"), claims.get("groups"));
        assertNotNullClaim(claims, "jti");
        assertEquals(900, ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue());

        given().auth().oauth2(access).when().get("/api/v1/users/me").then().statusCode(200)
                .body("id", equalTo(reg.getString("user.id")))
                .body("username", equalTo(name))
                .body("email", nullValue())
                .body("roles", equalTo(List.of("user")))
                .body("created_at", notNullValue());
    }

    @Test
    void registerKeepsTheEmail() {
        String name = uniqueName("emma");
        String token = given().contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD, "email", "emma@example.org"))
                .when().post("/api/v1/auth/register").then().statusCode(201)
                .extract().path("access_token");
        given().auth().oauth2(token).when().get("/api/v1/users/me").then().statusCode(200)
                .body("email", equalTo("emma@example.org"));
    }

    @Test
    void duplicateUsernameIsAConflictWhateverTheCase() {
        String name = uniqueName("bob");
        register(name, PASSWORD).then().statusCode(201);
        assertErrorShape(register(name, PASSWORD).then(), 409, "USERNAME_TAKEN");
        assertErrorShape(register(name.toUpperCase(), PASSWORD).then(), 409, "USERNAME_TAKEN");
    }

    @Test
    void loginWithTheRightPasswordReturnsTokens() {
        String name = uniqueName("carol");
        String id = register(name, PASSWORD).then().statusCode(201).extract().path("user.id");
        String access = given().contentType("application/json")
                .body(Map.of("username", name.toUpperCase(), "password", PASSWORD))
                .when().post("/api/v1/auth/login").then().statusCode(200)
                .header("Cache-Control", containsString("no-store"))
                .body("user.id", equalTo(id))
                .body("refresh_token", startsWith("prt_"))
                .extract().path("access_token");
        given().auth().oauth2(access).when().get("/api/v1/users/me").then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSame401() {
        String name = uniqueName("dave");
        register(name, PASSWORD).then().statusCode(201);
        assertErrorShape(given().contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD + "!"))
                .when().post("/api/v1/auth/login").then(), 401, "INVALID_CREDENTIALS");
        assertErrorShape(given().contentType("application/json")
                .body(Map.of("username", uniqueName("nobody"), "password", PASSWORD))
                .when().post("/api/v1/auth/login").then(), 401, "INVALID_CREDENTIALS");
    }

    @Test
    void weakPasswordsAndBadUsernamesAreRefused() {
        assertErrorShape(register(uniqueName("erin"), "short").then(), 400, "WEAK_PASSWORD")
                .body("error.details.fields.password", notNullValue());
        assertErrorShape(register(uniqueName("erin"), "password123").then(), 400, "WEAK_PASSWORD");
        String name = uniqueName("frank");
        assertErrorShape(register(name, name).then(), 400, "WEAK_PASSWORD");
        assertErrorShape(register("a b c d", PASSWORD).then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields.username", notNullValue());
    }

    @Test
    void malformedJsonMissingFieldsAndWrongTypesAre400InTheErrorShape() {
        assertErrorShape(given().contentType("application/json").body("{\"username\": \"x\", ")
                .when().post("/api/v1/auth/register").then(), 400, "MALFORMED_JSON");
        assertErrorShape(given().contentType("application/json").body("{}")
                .when().post("/api/v1/auth/register").then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields", hasKey("username"))
                .body("error.details.fields", hasKey("password"));
        assertErrorShape(given().contentType("application/json").body("")
                .when().post("/api/v1/auth/register").then(), 400, "VALIDATION_FAILED");
        assertErrorShape(given().contentType("application/json").body("{\"username\":{\"a\":1},\"password\":\"x\"}")
                .when().post("/api/v1/auth/register").then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields.username", equalTo("wrong type or format"));
        assertErrorShape(given().contentType("application/json").body("[]")
                .when().post("/api/v1/auth/register").then(), 400, "INVALID_JSON");
        assertErrorShape(given().contentType("text/plain").body("hello")
                .when().post("/api/v1/auth/register").then(), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertErrorShape(given().when().delete("/api/v1/auth/register").then(), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void jwksPublishesTheKeyThatSignsTokensAndNoPrivatePart() {
        String token = register(uniqueName("gina"), PASSWORD).then().statusCode(201).extract().path("access_token");
        Map<String, Object> header = part(token, 0);
        assertEquals("RS256", header.get("alg"));
        io.restassured.response.Response jwks = given().when().get("/.well-known/jwks.json");
        assertEquals(1, jwks.headers().getValues("Cache-Control").size(), "one cache policy, not two");
        assertTrue(jwks.header("Cache-Control").contains("max-age=60"));
        jwks.then().statusCode(200)
                .body("keys.kid", hasItem(header.get("kid")))
                .body("keys.kty", everyItem(equalTo("RSA")))
                .body("keys.alg", everyItem(equalTo("RS256")))
                .body("keys.d", everyItem(nullValue()))
                .body("keys.p", everyItem(nullValue()));
    }

    @Test
    void serviceTokensAreIssuedForKnownClientsOnly() {
        String token = given().contentType("application/json")
                .body(Map.of("client_id", "session-service", "client_secret", "test-session-secret"))
                .when().post("/internal/v1/service-tokens").then().statusCode(200)
                .header("Cache-Control", containsString("no-store"))
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(300))
                .extract().path("access_token");
        Map<String, Object> claims = claims(token);
        assertEquals("session-service", claims.get("sub"));
        assertEquals(List.of("service"), claims.get("groups"));

        String userId = register(uniqueName("hank"), PASSWORD).then().statusCode(201).extract().path("user.id");
        given().auth().oauth2(token).when().get("/internal/v1/users/" + userId + "/status").then().statusCode(200)
                .body("enabled", equalTo(true));
        given().auth().oauth2(token).when().get("/internal/v1/users/" + UUID.randomUUID() + "/status").then()
                .statusCode(200).body("enabled", equalTo(false));
        given().auth().oauth2(token).header("X-Parley-User", userId).when().get("/internal/v1/whoami").then()
                .statusCode(200).body("service", equalTo("session-service")).body("acting_user_id", equalTo(userId));

        assertErrorShape(given().contentType("application/json")
                .body(Map.of("client_id", "session-service", "client_secret", "wrong"))
                .when().post("/internal/v1/service-tokens").then(), 401, "INVALID_CLIENT");
        assertErrorShape(given().contentType("application/json")
                .body(Map.of("client_id", "evil-service", "client_secret", "test-session-secret"))
                .when().post("/internal/v1/service-tokens").then(), 401, "INVALID_CLIENT");
    }

    @Test
    void userTokensAreRefusedOnInternalEndpoints() {
        JsonPath reg = register(uniqueName("ivy"), PASSWORD).then().statusCode(201).extract().jsonPath();
        assertErrorShape(given().auth().oauth2(reg.getString("access_token"))
                .when().get("/internal/v1/users/" + reg.getString("user.id") + "/status").then(), 403, "FORBIDDEN");
        assertErrorShape(given().when().get("/internal/v1/users/" + reg.getString("user.id") + "/status").then(),
                401, "UNAUTHENTICATED");
    }

    @Test
    void actingUserHeaderIsIgnoredBesideAUserToken() {
        JsonPath alice = register(uniqueName("jane"), PASSWORD).then().statusCode(201).extract().jsonPath();
        JsonPath bob = register(uniqueName("ken"), PASSWORD).then().statusCode(201).extract().jsonPath();
        given().auth().oauth2(alice.getString("access_token")).header("X-Parley-User", bob.getString("user.id"))
                .when().get("/api/v1/users/me").then().statusCode(200)
                .body("id", equalTo(alice.getString("user.id")));
    }

    @Test
    void aTokenForADeletedOrUnknownUserIsRefused() {
        assertErrorShape(given().auth().oauth2(Tokens.user(UUID.randomUUID(), "ghost"))
                .when().get("/api/v1/users/me").then(), 401, "UNAUTHENTICATED");
    }

    @Test
    void aPlantedPasswordNeverAppearsInTheLogs() {
        String planted = "Planted-" + UUID.randomUUID() + "-secret";
        String name = uniqueName("leak");
        try (LogCapture logs = LogCapture.start()) {
            register(name, planted).then().statusCode(201);
            given().contentType("application/json").body(Map.of("username", name, "password", planted))
                    .when().post("/api/v1/auth/login").then().statusCode(200);
            given().contentType("application/json").body(Map.of("username", name, "password", planted + "x"))
                    .when().post("/api/v1/auth/login").then().statusCode(401);
            // A body that fails to parse, with the password in it, and one with the password in a wrongly typed field.
            given().contentType("application/json").body("{\"username\":\"" + name + "\",\"password\":\"" + planted)
                    .when().post("/api/v1/auth/login").then().statusCode(400);
            given().contentType("application/json").body("{\"username\":[\"" + planted + "\"],\"password\":\"x\"}")
                    .when().post("/api/v1/auth/login").then().statusCode(400);
            given().contentType("application/json")
                    .body(Map.of("client_id", "session-service", "client_secret", planted))
                    .when().post("/internal/v1/service-tokens").then().statusCode(401);

            List<String> lines = logs.lines();
            assertFalse(lines.isEmpty(), "the capture saw no log line at all: it would prove nothing");
            assertTrue(lines.stream().anyMatch(l -> l.contains("insert into users") || l.contains("user registered")),
                    "the capture must have seen the registration being logged");
            for (String line : lines) {
                assertFalse(line.contains(planted), "a log line contains the password: " + line.substring(0, Math.min(120, line.length())));
                assertFalse(line.contains("test-session-secret"), "a log line contains a client secret");
            }
        }
    }

    @Test
    void eachRegistrationGetsADistinctRefreshToken() {
        String r1 = register(uniqueName("mia"), PASSWORD).then().statusCode(201).extract().path("refresh_token");
        String r2 = register(uniqueName("mia"), PASSWORD).then().statusCode(201).extract().path("refresh_token");
        assertNotEquals(r1, r2);
        assertTrue(Base64.getUrlDecoder().decode(r1.substring(4)).length >= 32);
    }

    private static void assertNotNullClaim(Map<String, Object> claims, String name) {
        assertTrue(claims.get(name) != null, name + " claim is missing");
    }

    private static Map<String, Object> claims(String jwt) {
        return part(jwt, 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> part(String jwt, int index) {
        String json = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8);
        return new JsonPath(json).getMap("$");
    }
}
