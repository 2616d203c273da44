package dev.parley.usage;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.ServiceContractTests;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The platform contract (health with PostgreSQL, metrics, OpenAPI, the three callers, error shape) in usage-service. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class UsageContractTest extends ServiceContractTests {

    @Override
    protected String protectedPath() {
        return "/api/v1/usage/cost-estimation";
    }
}
