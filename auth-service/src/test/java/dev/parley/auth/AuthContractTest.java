package dev.parley.auth;

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
}
