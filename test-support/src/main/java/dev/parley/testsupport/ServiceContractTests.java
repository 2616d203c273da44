package dev.parley.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import java.util.UUID;

import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/**
 * What every Parley service must do, inherited by one {@code @QuarkusTest} class per service: health with a live
 * database, Prometheus metrics, OpenAPI, the three kinds of caller through the platform's one mechanism, the internal
 * surface closed to users, the error shape for what Quarkus and Vert.x would otherwise answer by themselves, and
 * OpenAPI schemas that name fields as the wire does (snake_case).
 */
public abstract class ServiceContractTests {

    /** Each contract test starts from a stand-in auth-service (when the module uses one) that only issues tokens. */
    @org.junit.jupiter.api.BeforeEach
    void resetAuthServiceStub() {
        AuthServiceStub.resetToDefaults();
    }

    /** A path of this service's public API that requires an authenticated caller (GET). */
    protected abstract String protectedPath();

    /** The id of an enabled user (services that check user status against auth-service override this). */
    protected UUID enabledUser() {
        return UUID.randomUUID();
    }

    @Test
    void readinessIsUpWithTheDatabase() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void prometheusMetricsAreServed() {
        given().when().get("/no/such/path").then().statusCode(404); // at least one measured request, whatever ran before
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("http_server_requests_seconds"));
    }

    @Test
    void openApiDescribesTheService() {
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("openapi", notNullValue())
                .body("paths", hasKey("/internal/v1/whoami"));
    }

    @Test
    void openApiNamesEverySchemaPropertyAsTheWireDoes() throws Exception {
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200).extract().asString());
        java.util.List<String> notSnakeCase = new java.util.ArrayList<>();
        doc.path("components").path("schemas").fields()
                .forEachRemaining(e -> collectNotSnakeCase(e.getKey(), e.getValue(), notSnakeCase));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), notSnakeCase,
                "JSON field names are snake_case on the wire, so in the schemas too");
    }

    /** The property names of {@code schema} (and of the schemas inside it) that are not snake_case, as "Schema.name". */
    private static void collectNotSnakeCase(String where, com.fasterxml.jackson.databind.JsonNode schema, java.util.List<String> out) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        schema.path("properties").fields().forEachRemaining(p -> {
            if (!p.getKey().matches("[a-z][a-z0-9]*(_[a-z0-9]+)*")) {
                out.add(where + "." + p.getKey());
            }
            collectNotSnakeCase(where + "." + p.getKey(), p.getValue(), out);
        });
        collectNotSnakeCase(where + "[]", schema.get("items"), out);
        collectNotSnakeCase(where + "{}", schema.get("additionalProperties"), out);
        for (String composite : new String[] {"allOf", "anyOf", "oneOf"}) {
            schema.path(composite).forEach(s -> collectNotSnakeCase(where, s, out));
        }
    }

    @Test
    void serviceTokenActingForAUserIsAccepted() {
        UUID user = enabledUser();
        given().auth().oauth2(Tokens.service("session-service")).header("X-Parley-User", user.toString())
                .when().get("/internal/v1/whoami").then().statusCode(200)
                .body("kind", equalTo("service"))
                .body("service", equalTo("session-service"))
                .body("acting_user_id", equalTo(user.toString()));
    }

    @Test
    void serviceTokenWithAMalformedActingUserIsRefused() {
        assertErrorShape(given().auth().oauth2(Tokens.service("session-service")).header("X-Parley-User", "bob")
                .when().get("/internal/v1/whoami").then(), 401, "UNAUTHENTICATED");
    }

    @Test
    void userTokenIsRefusedOnTheInternalSurface() {
        UUID user = enabledUser();
        assertErrorShape(given().auth().oauth2(Tokens.user(user, "alice")).header("X-Parley-User", UUID.randomUUID().toString())
                .when().get("/internal/v1/whoami").then(), 403, "FORBIDDEN");
    }

    @Test
    void anonymousCallerIsRefusedOnTheInternalSurface() {
        assertErrorShape(given().when().get("/internal/v1/whoami").then(), 401, "UNAUTHENTICATED");
    }

    @Test
    void forgedAndStaleTokensAreRefusedWithTheErrorShape() {
        UUID user = UUID.randomUUID();
        String good = Tokens.user(user, "alice");
        for (String bad : new String[] {Tokens.tampered(good), Tokens.expiredUser(user), Tokens.wrongIssuer(user),
                Tokens.algNone(user), Tokens.hs256(user), "not-a-jwt", good + "x"}) {
            assertErrorShape(given().auth().oauth2(bad).when().get(protectedPath()).then(), 401, "UNAUTHENTICATED")
                    .header("WWW-Authenticate", equalTo("Bearer"));
        }
    }

    @Test
    void missingTokenIsRefusedWithTheErrorShape() {
        assertErrorShape(given().when().get(protectedPath()).then(), 401, "UNAUTHENTICATED");
    }

    @Test
    void unknownAccessKeyIsRefused() {
        assertErrorShape(given().auth().oauth2("pk-" + "a".repeat(43)).when().get(protectedPath()).then(),
                401, "UNAUTHENTICATED");
    }

    @Test
    void unknownPathAnswersTheErrorShape() {
        assertErrorShape(given().when().get("/no/such/path").then(), 404, "NOT_FOUND");
    }

    /** One HTTP/1.1 response with a Content-Length body (the server may keep the connection open). */
    private static String readResponse(java.io.InputStream in) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int headerEnd = -1;
        long length = -1;
        byte[] buf = new byte[4096];
        while (true) {
            String sofar = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            if (headerEnd < 0 && sofar.contains("\r\n\r\n")) {
                headerEnd = sofar.indexOf("\r\n\r\n") + 4;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(sofar.substring(0, headerEnd));
                length = m.find() ? Long.parseLong(m.group(1)) : 0;
            }
            if (headerEnd >= 0 && out.size() >= headerEnd + length) {
                return sofar;
            }
            int n = in.read(buf);
            if (n < 0) {
                return sofar;
            }
            out.write(buf, 0, n);
        }
    }

    @Test
    void oversizedBodyAnswers413InTheErrorShape() throws Exception {
        long limit = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("parley.http.max-body-size", io.quarkus.runtime.configuration.MemorySize.class)
                .map(io.quarkus.runtime.configuration.MemorySize::asLongValue).orElse(1024L * 1024);
        // The declared length alone must be refused: no client has to send (nor the test allocate) the whole body.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST " + protectedPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (limit + 1) + "\r\n\r\n{\"a\":")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = readResponse(socket.getInputStream());
            org.junit.jupiter.api.Assertions.assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            org.junit.jupiter.api.Assertions.assertEquals("PAYLOAD_TOO_LARGE", json.path("error").path("code").asText(), body);
            org.junit.jupiter.api.Assertions.assertTrue(json.path("request_id").isTextual(), body);
        }
    }

    @Test
    void requestIdIsEchoedOrGenerated() {
        given().header("X-Request-Id", "trace-me-123").when().get("/no/such/path").then()
                .header("X-Request-Id", equalTo("trace-me-123"))
                .body("request_id", equalTo("trace-me-123"));
        given().when().get("/no/such/path").then()
                .header("X-Request-Id", not(emptyOrNullString()));
    }

    @Test
    void securityHeadersAreSet() {
        // all five, on an API answer (a refusal here) and on a success (the whoami of a service caller)
        for (ValidatableResponse r : java.util.List.of(given().when().get(protectedPath()).then(),
                given().auth().oauth2(Tokens.service("session-service")).when().get("/internal/v1/whoami").then().statusCode(200))) {
            r.header("X-Content-Type-Options", equalTo("nosniff"))
                    .header("X-Frame-Options", equalTo("DENY"))
                    .header("Referrer-Policy", equalTo("no-referrer"))
                    .header("Content-Security-Policy", equalTo("default-src 'none'; frame-ancestors 'none'"))
                    .header("Cache-Control", containsString("no-store"));
        }
    }

    @Test
    void crossOriginCallersAreNotAllowedByDefault() {
        // Only the configured origin (ParleyTestEnvironment: CONFIGURED_ORIGIN) is granted: a browser on another site
        // gets no CORS grant, preflight or not.
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET")
                .when().options(protectedPath()).then()
                .header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
        given().header("Origin", "https://evil.example").auth().oauth2(Tokens.service("session-service"))
                .when().get("/internal/v1/whoami").then()
                .header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aConfiguredOriginIsGrantedPreflightIncluded() {
        String origin = ParleyTestEnvironment.CONFIGURED_ORIGIN;
        given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .when().options(protectedPath()).then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", equalTo(origin))
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Headers", containsString("authorization"));
        given().header("Origin", origin).auth().oauth2(Tokens.service("session-service"))
                .when().get("/internal/v1/whoami").then().statusCode(200)
                .header("Access-Control-Allow-Origin", equalTo(origin));
    }

    /** Asserts {@code {"error":{"code","message","details"},"request_id"}} with this status and code. */
    public static ValidatableResponse assertErrorShape(ValidatableResponse r, int status, String code) {
        return r.statusCode(status)
                .contentType(containsString("application/json"))
                .body("error.code", equalTo(code))
                .body("error.message", not(emptyOrNullString()))
                .body("error.details", notNullValue())
                .body("request_id", not(emptyOrNullString()));
    }
}
