package dev.parley.auth;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.ServiceContractTests;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The platform contract in auth-service, with {@code /api/v1/users/me} as the protected path. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AuthContractTest extends ServiceContractTests {
    @Override
    protected String protectedPath() {
        return "/api/v1/users/me";
    }

    /** auth-service checks user status in its own database: the user must exist and be enabled. */
    @Override
    protected UUID enabledUser() {
        String id = given().contentType("application/json")
                .body(Map.of("username", "contract-" + UUID.randomUUID().toString().substring(0, 8),
                        "password", "correct-horse-battery"))
                .when().post("/api/v1/auth/register").then().statusCode(201).extract().path("user.id");
        return UUID.fromString(id);
    }
}
