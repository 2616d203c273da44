package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.admin;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import org.junit.jupiter.api.Test;

/**
 * Rotation never refuses a valid token to a verifier that caches the key set. The verifier here is smallrye-jwt's,
 * as in every service, fetching auth-service's JWKS over HTTP and then forbidden to refetch it for an hour; JWKS
 * fetches are counted from auth-service's own request metrics. The test profile lets NEXT sign after 2 s.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class SigningKeyRotationTest {
    private static final Pattern JWKS_COUNT = Pattern.compile(
            "http_server_requests_seconds_count\\{[^}]*uri=\"/.well-known/jwks.json\"[^}]*} ([0-9.]+)");

    @Test
    void aCachingVerifierAcceptsEveryValidTokenAcrossARotation() throws Exception {
        JsonPath before = given().when().get("/.well-known/jwks.json").then().statusCode(200).extract().jsonPath();
        List<String> kidsBefore = before.getList("keys.kid");
        assertTrue(kidsBefore.size() >= 2, "the next key is published before it signs: " + kidsBefore);

        JWTParser verifier = cachingVerifier();
        Account alice = register("rot-alice");
        String oldToken = alice.accessToken();
        String oldKid = kid(oldToken);
        verifier.parse(oldToken); // the verifier has now fetched and cached the key set

        Account admin = admin();
        // NEXT may sign once it has been published long enough (2 s in tests); the refusal before that is checked below.
        JsonPath status = admin.as().when().get("/api/v1/auth/signing-keys").then().statusCode(200).extract().jsonPath();
        Instant usableAfter = Instant.parse(status.getString("data.find { it.state == 'next' }.usable_after"));
        long wait = Duration.between(Instant.now(), usableAfter).toMillis() + 200;
        if (wait > 0) {
            Thread.sleep(wait);
        }

        double fetchesBefore = jwksFetches();
        JsonPath rotated = admin.as().when().post("/api/v1/auth/signing-keys/rotate").then().statusCode(200)
                .extract().jsonPath();
        String current = rotated.getString("data.find { it.state == 'current' }.kid");
        assertNotEquals(oldKid, current);
        assertTrue(kidsBefore.contains(current), "the new signing key was already in the cached key set");

        Account bob = register("rot-bob");
        assertEquals(current, kid(bob.accessToken()), "new tokens are signed with the new key");
        // The caching verifier accepts both the new token and the one signed before the rotation,
        verifier.parse(bob.accessToken());
        verifier.parse(oldToken);
        // and so does auth-service's own platform verifier (which also caches the key set).
        bob.as().when().get("/api/v1/users/me").then().statusCode(200);
        alice.as().when().get("/api/v1/users/me").then().statusCode(200);
        assertEquals(fetchesBefore, jwksFetches(), "nobody needed to refetch the key set");

        // The key set now holds the new NEXT, the CURRENT and the PREVIOUS (until its tokens expire).
        JsonPath after = given().when().get("/.well-known/jwks.json").then().statusCode(200).extract().jsonPath();
        List<String> kidsAfter = after.getList("keys.kid");
        assertTrue(kidsAfter.contains(oldKid) && kidsAfter.contains(current) && kidsAfter.size() == 3, kidsAfter.toString());
        assertEquals(Set.copyOf(List.of("current", "next", "previous")),
                Set.copyOf(admin.as().when().get("/api/v1/auth/signing-keys").then().extract().jsonPath().getList("data.state")));

        // The NEXT key made by this rotation is brand new: rotating to it now could reach a verifier that has not
        // seen it yet, so it is refused until it has been published long enough.
        assertErrorShape(admin.as().when().post("/api/v1/auth/signing-keys/rotate").then(), 409, "NEXT_KEY_TOO_NEW")
                .body("error.details.usable_after", org.hamcrest.Matchers.notNullValue());
    }

    private static JWTParser cachingVerifier() {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyLocation("http://127.0.0.1:18081/.well-known/jwks.json");
        info.setIssuedBy("parley");
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
        info.setJwksRefreshInterval(60);
        info.setForcedJwksRefreshInterval(60);
        return new DefaultJWTParser(info);
    }

    private static double jwksFetches() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double total = 0;
        Matcher m = JWKS_COUNT.matcher(metrics);
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    static String kid(String jwt) {
        String header = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8);
        return new JsonPath(header).getString("kid");
    }
}
