package dev.parley.memory;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The platform contract against the packaged memory-service (the jar, or with -Pnative the native executable), run by
 * failsafe: what the CI workflow runs against native images.
 */
@QuarkusIntegrationTest
class MemoryContractIT extends MemoryContractTest {
}
