package dev.parley.platform.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The platform's default trusted proxies are address literals Quarkus recognises as such (IPv4, bracketed IPv6, CIDR):
 * an entry it takes for a host name is resolved on every request, one lookup at a time, and every service then
 * answered about 20 requests a second (an unbracketed {@code 0:0:0:0:0:0:0:1} did exactly that).
 */
class TrustedProxiesTest {
    private static final Pattern IPV4_OR_CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[[0-9a-fA-F:]+](/\\d{1,3})?");

    @Test
    void everyDefaultTrustedProxyIsAnAddressLiteralNeverAName() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/microprofile-config.properties")) {
            assertNotNull(in);
            p.load(in);
        }
        String value = p.getProperty("quarkus.http.proxy.trusted-proxies");
        assertNotNull(value, "the local ingress is trusted by default");
        for (String entry : value.split(",")) {
            String e = entry.strip();
            assertTrue(IPV4_OR_CIDR.matcher(e).matches() || BRACKETED_IPV6.matcher(e).matches(),
                    "'" + e + "' is not an IPv4 address, a bracketed IPv6 address or a CIDR: Quarkus would resolve it per request");
        }
        assertFalse(p.containsKey("quarkus.http.proxy.enable-trusted-proxies"), "not a Quarkus key: it is ignored");
    }
}
