package dev.parley.gateway;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The platform contract against the packaged llm-gateway-service (the jar, or with -Pnative the native executable), run by
 * failsafe: what the CI workflow runs against native images.
 */
@QuarkusIntegrationTest
class GatewayContractIT extends GatewayContractTest {
}
