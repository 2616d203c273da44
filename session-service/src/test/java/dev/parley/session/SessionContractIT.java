package dev.parley.session;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The platform contract against the packaged session-service (the jar, or with -Pnative the native executable), run by
 * failsafe: what the CI workflow runs against native images.
 */
@QuarkusIntegrationTest
class SessionContractIT extends SessionContractTest {
}
