package dev.parley.auth;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The platform contract against the packaged auth-service (the jar, or with -Pnative the native executable), run by
 * failsafe: what the CI workflow runs against native images.
 */
@QuarkusIntegrationTest
class AuthContractIT extends AuthContractTest {
}
