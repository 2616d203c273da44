package dev.parley.platform.egress;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where a service may send a call to a user-given URL: metadata and link-local never, loopback and private only when allowed. */
class EgressPolicyTest {
    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, SECONDS);
    }

    private static EgressPolicy policy(boolean allowLoopback, boolean allowPrivate) {
        return new EgressPolicy(allowLoopback, allowPrivate, List.of(), vertx);
    }

    private static String forbidden(EgressPolicy policy, String literal) throws Exception {
        return policy.forbidden(InetAddress.getByName(literal));
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(5, SECONDS);
    }

    private static void assertRefused(EgressPolicy policy, String url) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(policy.check(URI.create(url))), url);
        EgressException refusal = assertInstanceOf(EgressException.class, e.getCause(), url);
        assertEquals(EgressException.Reason.REFUSED, refusal.reason(), url);
        EgressException blocking = assertThrows(EgressException.class, () -> policy.checkBlocking(URI.create(url)), url);
        assertEquals(EgressException.Reason.REFUSED, blocking.reason(), url);
    }

    // ---- forbidden(InetAddress) ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "fe80::1",
            "0.0.0.0", "0.0.0.1", "::", "224.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a9fe:a9fe", "2002:a9fe:a9fe::1", "2001:0:a9fe:a9fe::1", "::169.254.169.254"})
    void metadataLinkLocalWildcardMulticastAndIpv4EmbeddingAddressesAreAlwaysRefused(String address) throws Exception {
        assertNotNull(forbidden(policy(true, true), address), address + " allowed with both allow flags set");
        assertNotNull(forbidden(policy(false, false), address), address + " allowed by the strict policy");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void loopbackIsRefusedUnlessAllowed(String address) throws Exception {
        assertNotNull(forbidden(policy(false, false), address));
        assertNotNull(forbidden(policy(false, true), address), "allow-private must not open loopback");
        assertNull(forbidden(policy(true, false), address));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "fc00::1"})
    void privateAddressesAreRefusedUnlessAllowed(String address) throws Exception {
        assertNotNull(forbidden(policy(false, false), address));
        assertNotNull(forbidden(policy(true, false), address), "allow-loopback must not open private ranges");
        assertNull(forbidden(policy(false, true), address));
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "2606:4700::1111"})
    void publicAddressesAreAllowedByTheStrictPolicy(String address) throws Exception {
        assertNull(forbidden(policy(false, false), address));
    }

    // ---- check(URI) ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"file:///x", "ftp://h/"})
    void nonHttpSchemesAreRefused(String url) {
        assertRefused(policy(true, true), url);
    }

    @Test
    void urlWithoutHostIsRefused() {
        assertRefused(policy(true, true), "http:///v1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://metadata.google.internal/", "https://METADATA.google.internal./computeMetadata/v1"})
    void metadataHostNamesAreRefusedWithoutResolving(String url) {
        assertRefused(policy(true, true), url);
    }

    @Test
    void deniedHostsAreRefusedWhateverTheirCase() {
        EgressPolicy policy = new EgressPolicy(true, true, List.of("Internal.Example.com"), vertx);
        assertRefused(policy, "https://internal.example.com/v1");
        assertRefused(policy, "https://INTERNAL.example.com./v1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1]:8080/v1"})
    void urlsNamingAForbiddenAddressAreRefused(String url) {
        assertRefused(policy(true, true), url);
    }

    @Test
    void loopbackUrlIsRefusedByTheStrictPolicy() {
        assertRefused(policy(false, false), "http://127.0.0.1:1/v1");
    }

    @Test
    void loopbackUrlIsAcceptedWhenLoopbackIsAllowed() throws Exception {
        InetAddress address = await(policy(true, false).check(URI.create("http://127.0.0.1:1/v1")));
        assertEquals(InetAddress.getByName("127.0.0.1"), address);
    }

    @Test
    void checkBlockingAnswersTheCheckedAddressToo() throws Exception {
        assertEquals(InetAddress.getByName("127.0.0.1"), policy(true, false).checkBlocking(URI.create("http://127.0.0.1:1/v1")));
    }

    @Test
    void aHostThatDoesNotResolveIsUnresolvableNotRefused() {
        EgressException e = assertThrows(EgressException.class,
                () -> policy(false, false).checkBlocking(URI.create("https://nothing.invalid/v1")));
        assertEquals(EgressException.Reason.UNRESOLVABLE, e.reason());
        assertEquals("nothing.invalid", e.host());
        assertEquals("the host name nothing.invalid cannot be resolved", e.getMessage());
    }

    @Test
    void aRefusalNamesTheKeyThatWouldAllowIt() {
        EgressException e = assertThrows(EgressException.class,
                () -> policy(false, false).checkBlocking(URI.create("http://127.0.0.1:1/v1")));
        assertEquals("the host 127.0.0.1 resolves to a loopback address (allowed only with parley.egress.allow-loopback)",
                e.getMessage());
    }
}
