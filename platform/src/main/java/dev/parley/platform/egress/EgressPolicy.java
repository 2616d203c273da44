package dev.parley.platform.egress;

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

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Where a service may send a request to a URL a user gave. Link-local addresses (169.254.0.0/16, fe80::/10, which
 * hold the cloud metadata services), known metadata addresses and names, wildcard and multicast addresses are always
 * refused; loopback and private ranges only when the operator allows them ({@code parley.egress.*}). The host is
 * resolved once and the caller connects to that checked address (DNS rebinding cannot swap in another one between
 * check and connect). Answers are cached for 30 seconds.
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

    private record Resolved(InetAddress address, EgressException refusal, long at) { }

    @Inject
    public EgressPolicy(EgressConfig config, Vertx vertx) {
        this(config.allowLoopback(), config.allowPrivate(), config.deniedHosts().orElse(List.of()), vertx);
    }

    public EgressPolicy(boolean allowLoopback, boolean allowPrivate, List<String> denied, Vertx vertx) {
        this.allowLoopback = allowLoopback;
        this.allowPrivate = allowPrivate;
        this.denied = Set.copyOf(denied.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        this.vertx = vertx;
    }

    /**
     * The checked address to connect to for this URL, or an {@link EgressException} saying why the destination is
     * refused. Never blocks: a name not resolved in the last 30 s is resolved on a worker thread.
     */
    public Future<InetAddress> check(URI url) {
        String host;
        try {
            host = policedHost(url);
        } catch (EgressException e) {
            return Future.failedFuture(e);
        }
        Resolved cached = dns.get(host);
        if (cached != null && System.nanoTime() - cached.at() < DNS_TTL_NANOS) {
            return cached.refusal() != null ? Future.failedFuture(cached.refusal()) : Future.succeededFuture(cached.address());
        }
        return vertx.executeBlocking(() -> resolve(host), false);
    }

    /** As {@link #check(URI)}, for worker threads (it may block on DNS): the address, or an {@link EgressException}. */
    public InetAddress checkBlocking(URI url) {
        String host = policedHost(url);
        Resolved cached = dns.get(host);
        if (cached != null && System.nanoTime() - cached.at() < DNS_TTL_NANOS) {
            if (cached.refusal() != null) {
                throw cached.refusal();
            }
            return cached.address();
        }
        return resolve(host);
    }

    /** An operator-configured internal destination (another Parley service): resolved and cached, not policed. */
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

    /** The URL's host, normalised, after the checks that need no DNS (scheme, metadata names, denied hosts). */
    private String policedHost(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(url.getHost(), "only http and https base URLs are allowed");
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw refused(null, "the base URL has no host");
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (METADATA_HOSTS.contains(h) || denied.contains(h)) {
            throw refused(h, "the host " + h + " is not an allowed destination");
        }
        return h;
    }

    private InetAddress resolve(String host) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new EgressException(EgressException.Reason.UNRESOLVABLE, host, "the host name " + host + " cannot be resolved");
        }
        EgressException refusal = null;
        for (InetAddress a : all) {
            String why = forbidden(a);
            if (why != null) {
                refusal = refused(host, "the host " + host + " resolves to " + why);
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
            return allowLoopback ? null : "a loopback address (allowed only with parley.egress.allow-loopback)";
        }
        if (isPrivate(a)) {
            return allowPrivate ? null : "a private address (allowed only with parley.egress.allow-private)";
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

    private static EgressException refused(String host, String why) {
        return new EgressException(EgressException.Reason.REFUSED, host, why);
    }
}
