package dev.parley.platform.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** parley.egress.* as the platform defaults define it: the gateway's former keys still set it. */
class EgressConfigTest {

    /** The three keys of {@link EgressConfig} as the platform defaults resolve them (no Quarkus here: no mapping class). */
    private record Resolved(boolean allowLoopback, boolean allowPrivate, Optional<List<String>> deniedHosts) { }

    private static Resolved egress(Map<String, String> set) throws Exception {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(
                        EgressConfigTest.class.getResource("/META-INF/microprofile-config.properties"), 100))
                .withSources(new PropertiesConfigSource(set, "set", 300))
                .build();
        return new Resolved(config.getValue("parley.egress.allow-loopback", Boolean.class),
                config.getValue("parley.egress.allow-private", Boolean.class),
                config.getOptionalValues("parley.egress.denied-hosts", String.class));
    }

    @Test
    void nothingSetRefusesLoopbackAndPrivateAndDeniesNoExtraHost() throws Exception {
        Resolved c = egress(Map.of());
        assertFalse(c.allowLoopback());
        assertFalse(c.allowPrivate());
        assertEquals(Optional.empty(), c.deniedHosts());
    }

    @Test
    void theGatewaysFormerKeysStillApply() throws Exception {
        Resolved c = egress(Map.of("parley.gateway.egress.allow-loopback", "true",
                "parley.gateway.egress.allow-private", "true",
                "parley.gateway.egress.denied-hosts", "a.example,b.example"));
        assertTrue(c.allowLoopback());
        assertTrue(c.allowPrivate());
        assertEquals(Optional.of(List.of("a.example", "b.example")), c.deniedHosts());
    }

    @Test
    void theNewKeysWinOverTheFormerOnes() throws Exception {
        Resolved c = egress(Map.of("parley.gateway.egress.allow-private", "true", "parley.egress.allow-private", "false",
                "parley.egress.allow-loopback", "true"));
        assertFalse(c.allowPrivate());
        assertTrue(c.allowLoopback());
    }
}
