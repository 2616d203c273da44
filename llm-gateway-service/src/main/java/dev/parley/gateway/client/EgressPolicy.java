package dev.parley.gateway.client;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Where the gateway may send a request. Link-local addresses (169.254.0.0/16, fe80::/10, which hold the cloud metadata
 * services), known metadata addresses and names, wildcard and multicast addresses are always refused; loopback and
 * private ranges only when the operator allows them. The host is resolved once and the connection goes to that
 * checked address (DNS rebinding cannot swap in another one between check and connect).
 */
@ApplicationScoped
public class EgressPolicy {
    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "kubernetes.default.svc");
    private static final Set<String> METADATA_ADDRESSES = Set.of("169.254.169.254", "169.254.170.2", "100.100.100.200",
            "192.0.0.192", "fd00:ec2:0:0:0:0:0:254");
    private static final long DNS_TTL_NANOS = 30_000_000_000L;

    private final boolean allowLoopback;
    private final boolean allowPrivate;
    private final Set<String> denied;
    private final Vertx vertx;
    private final Map<String, Resolved> dns = new ConcurrentHashMap<>();

    private record Resolved(InetAddress address, RuntimeException refusal, long at) { }

    @Inject
    public EgressPolicy(GatewayConfig config, Vertx vertx) {
        this(config.egress().allowLoopback(), config.egress().allowPrivate(),
                config.egress().deniedHosts().orElse(List.of()), vertx);
    }

    EgressPolicy(boolean allowLoopback, boolean allowPrivate, List<String> denied, Vertx vertx) {
        this.allowLoopback = allowLoopback;
        this.allowPrivate = allowPrivate;
        this.denied = Set.copyOf(denied.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        this.vertx = vertx;
    }

    /** The checked address to connect to for this URL, or a 400 naming why the destination is refused. */
    public Future<InetAddress> check(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Future.failedFuture(refused("only http and https base URLs are allowed"));
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return Future.failedFuture(refused("the base URL has no host"));
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (METADATA_HOSTS.contains(h) || denied.contains(h)) {
            return Future.failedFuture(refused("the host " + h + " is not an allowed destination"));
        }
        Resolved cached = dns.get(h);
        if (cached != null && System.nanoTime() - cached.at() < DNS_TTL_NANOS) {
            return cached.refusal() != null ? Future.failedFuture(cached.refusal()) : Future.succeededFuture(cached.address());
        }
        String name = h;
        return vertx.executeBlocking(() -> resolve(name), false);
    }

    /** An operator-configured internal destination (memory-service): resolved and cached, not policed. */
    public Future<InetAddress> resolveTrusted(URI url) {
        String host = url.getHost();
        Resolved cached = dns.get("trusted:" + host);
        if (cached != null && System.nanoTime() - cached.at() < DNS_TTL_NANOS) {
            return Future.succeededFuture(cached.address());
        }
        return vertx.executeBlocking(() -> {
            InetAddress a = InetAddress.getByName(host);
            dns.put("trusted:" + host, new Resolved(a, null, System.nanoTime()));
            return a;
        }, false);
    }

    private InetAddress resolve(String host) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new OpenAiException(502, "server_error", "upstream_unreachable", null,
                    "The provider's host name " + host + " cannot be resolved.");
        }
        RuntimeException refusal = null;
        for (InetAddress a : all) {
            String why = forbidden(a);
            if (why != null) {
                refusal = refused("the host " + host + " resolves to " + why);
                break;
            }
        }
        Resolved r = new Resolved(all[0], refusal, System.nanoTime());
        if (dns.size() > 10_000) {
            dns.clear();
        }
        dns.put(host, r);
        if (refusal != null) {
            throw refusal;
        }
        return all[0];
    }

    /** Why this address may not be reached, or null when it may. */
    String forbidden(InetAddress a) {
        if (METADATA_ADDRESSES.contains(a.getHostAddress())) {
            return "a cloud metadata address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address";
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress() || (a instanceof Inet4Address && a.getAddress()[0] == 0)) {
            return "a wildcard, 'this network' or multicast address";
        }
        if (a instanceof Inet6Address v6 && isIpv4Embedded(v6)) {
            return "an IPv4-embedding IPv6 address";
        }
        if (a.isLoopbackAddress()) {
            return allowLoopback ? null : "a loopback address (allowed only with parley.gateway.egress.allow-loopback)";
        }
        if (isPrivate(a)) {
            return allowPrivate ? null : "a private address (allowed only with parley.gateway.egress.allow-private)";
        }
        return null;
    }

    private static boolean isPrivate(InetAddress a) {
        if (a.isSiteLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return (b0 == 100 && b1 >= 64 && b1 <= 127) // carrier-grade NAT
                    || (b0 == 198 && (b1 == 18 || b1 == 19)); // benchmarking
        }
        return (b[0] & 0xfe) == 0xfc; // fc00::/7 unique local
    }

    /**
     * Addresses that can carry traffic to any IPv4 address, metadata included: NAT64 (64:ff9b::/96 and the local-use
     * 64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32) and IPv4-compatible ::a.b.c.d.
     */
    private static boolean isIpv4Embedded(Inet6Address a) {
        byte[] b = a.getAddress();
        boolean nat64 = b[0] == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        boolean sixToFour = b[0] == 0x20 && b[1] == 0x02;
        boolean teredo = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0;
        boolean compatible = true;
        for (int i = 0; i < 12; i++) {
            compatible &= b[i] == 0;
        }
        return nat64 || sixToFour || teredo || (compatible && !a.isLoopbackAddress() && !a.isAnyLocalAddress());
    }

    private static OpenAiException refused(String why) {
        return new OpenAiException(400, "invalid_request_error", "egress_refused", null,
                "The provider's base URL is refused by the gateway's egress policy: " + why + ".");
    }
}
