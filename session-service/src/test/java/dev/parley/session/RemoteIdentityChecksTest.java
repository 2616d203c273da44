package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;

import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The platform's identity checks in a service other than auth-service, against auth-service's wire contract
 * (WireMock): a disabled user is refused, access keys are verified and cached, an auth-service outage is a 503.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class RemoteIdentityChecksTest {
    @Inject
    ServiceTokenProvider tokens;

    WireMockServer auth;

    @BeforeEach
    void stubServiceTokens() {
        auth = AuthServiceStub.server();
        auth.resetAll();
        tokens.invalidate();
        auth.stubFor(post(urlEqualTo("/internal/v1/service-tokens")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + Tokens.service("session-service")
                        + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
    }

    @Test
    void aDisabledUserIsRefusedEvenWhenAServiceActsForThem() {
        UUID disabled = UUID.randomUUID();
        UUID enabled = UUID.randomUUID();
        auth.stubFor(get(urlEqualTo("/internal/v1/users/" + disabled + "/status"))
                .withHeader("Authorization", matching("Bearer .+"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"enabled\":false}")));
        auth.stubFor(get(urlEqualTo("/internal/v1/users/" + enabled + "/status"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"enabled\":true}")));

        assertErrorShape(given().auth().oauth2(Tokens.user(disabled, "dora")).when().get("/internal/v1/whoami").then(),
                401, "UNAUTHENTICATED");
        assertErrorShape(given().auth().oauth2(Tokens.service("memory-service")).header("X-Parley-User", disabled.toString())
                .when().get("/internal/v1/whoami").then(), 401, "UNAUTHENTICATED");
        given().auth().oauth2(Tokens.service("memory-service")).header("X-Parley-User", enabled.toString())
                .when().get("/internal/v1/whoami").then().statusCode(200);
        // The answer is cached: a second request does not ask again.
        given().auth().oauth2(Tokens.service("memory-service")).header("X-Parley-User", enabled.toString())
                .when().get("/internal/v1/whoami").then().statusCode(200);
        auth.verify(1, getRequestedFor(urlEqualTo("/internal/v1/users/" + enabled + "/status")));
    }

    @Test
    void accessKeysAreVerifiedAtAuthServiceAndCached() {
        UUID owner = UUID.randomUUID();
        String key = "pk-" + "k".repeat(43);
        auth.stubFor(post(urlEqualTo("/internal/v1/access-keys/verify")).withRequestBody(equalToJson("{\"key\":\"" + key + "\"}"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"user_id\":\"" + owner + "\",\"username\":\"kim\",\"roles\":[\"user\"],\"key_id\":\""
                                + UUID.randomUUID() + "\",\"allowed_models\":[\"parley/echo\"]}")));
        auth.stubFor(get(urlEqualTo("/internal/v1/users/" + owner + "/status"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"enabled\":true}")));

        // Authenticated (403: an access key is not a service), not refused as unknown (401).
        for (int i = 0; i < 3; i++) {
            assertErrorShape(given().auth().oauth2(key).when().get("/internal/v1/whoami").then(), 403, "FORBIDDEN");
        }
        auth.verify(1, postRequestedFor(urlEqualTo("/internal/v1/access-keys/verify")));

        String unknown = "pk-" + "u".repeat(43);
        auth.stubFor(post(urlEqualTo("/internal/v1/access-keys/verify")).withRequestBody(equalToJson("{\"key\":\"" + unknown + "\"}"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"ACCESS_KEY_NOT_FOUND\",\"message\":\"x\",\"details\":{}},\"request_id\":\"r\"}")));
        assertErrorShape(given().auth().oauth2(unknown).when().get("/internal/v1/whoami").then(), 401, "UNAUTHENTICATED");
    }

    @Test
    void anAuthServiceOutageIsA503NotAWrongKey() {
        String key = "pk-" + "d".repeat(43);
        auth.stubFor(post(urlEqualTo("/internal/v1/access-keys/verify")).willReturn(aResponse().withStatus(503)));
        assertErrorShape(given().auth().oauth2(key).when().get("/internal/v1/whoami").then(), 503, "AUTH_UNAVAILABLE");
    }
}
