package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.platform.error.ApiException;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The platform's service-token client against auth-service's wire contract (WireMock at the HTTP boundary). */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class ServiceTokenClientTest {
    private static final String PATH = "/internal/v1/service-tokens";
    private static final String CREDENTIALS =
            "{\"client_id\":\"session-service\",\"client_secret\":\"" + AuthServiceStub.CLIENT_SECRET + "\"}";

    @Inject
    ServiceTokenProvider tokens;

    WireMockServer auth;

    @BeforeEach
    void reset() {
        auth = AuthServiceStub.server();
        auth.resetAll();
        tokens.invalidate();
    }

    private static String tokenBody(String token) {
        return "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300}";
    }

    @Test
    void exchangesCredentialsOnceAndReusesTheToken() {
        String issued = Tokens.service("session-service");
        auth.stubFor(post(urlEqualTo(PATH)).withRequestBody(equalToJson(CREDENTIALS))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(tokenBody(issued))));

        assertEquals(issued, tokens.token());
        assertEquals(issued, tokens.token());
        auth.verify(1, postRequestedFor(urlEqualTo(PATH)).withHeader("Content-Type", equalTo("application/json")));

        tokens.invalidate();
        assertEquals(issued, tokens.token());
        auth.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void retriesWhenAuthServiceIsBrieflyUnavailable() {
        String issued = Tokens.service("session-service");
        auth.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        auth.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(tokenBody(issued))));

        assertEquals(issued, tokens.token());
        auth.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void refusedCredentialsFailClearlyWithoutRetrying() {
        auth.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"INVALID_CLIENT\",\"message\":\"x\",\"details\":{}},\"request_id\":\"r\"}")));

        ApiException e = assertThrows(ApiException.class, () -> tokens.token());
        assertEquals("SERVICE_CREDENTIALS_REFUSED", e.code());
        auth.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }
}
