package dev.parley.gateway;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.ServiceContractTests;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The platform contract (health with PostgreSQL, metrics, OpenAPI, the three callers, error shape) in llm-gateway-service. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class GatewayContractTest extends ServiceContractTests {

    @Override
    protected String protectedPath() {
        // The platform's shape is checked on the internal surface; /v1 answers in OpenAI's shape (ChatCompletionsTest).
        return "/internal/v1/whoami";
    }
}
