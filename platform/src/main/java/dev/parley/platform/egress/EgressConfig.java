package dev.parley.platform.egress;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Which destinations a service may reach at URLs its users give (the gateway's provider base URLs, MCP server URLs).
 * The platform defaults read the gateway's former keys ({@code parley.gateway.egress.*}) when these are not set.
 */
@ConfigMapping(prefix = "parley.egress")
public interface EgressConfig {

    /** Loopback destinations (127.0.0.0/8, ::1): refused unless allowed (the local launcher allows them). */
    @WithName("allow-loopback")
    @WithDefault("false")
    boolean allowLoopback();

    /** Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): refused unless allowed. */
    @WithName("allow-private")
    @WithDefault("false")
    boolean allowPrivate();

    /** Host names always refused (besides link-local and metadata addresses, which are never reachable). */
    @WithName("denied-hosts")
    Optional<List<String>> deniedHosts();
}
