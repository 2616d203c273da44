package dev.parley.platform.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.junit.jupiter.api.Test;

class ServiceTokenFilterTest {

    /** Counts exchanges: each one hands out a new token. */
    private static final class CountingExchange extends ServiceTokenExchange {
        final AtomicInteger calls = new AtomicInteger();

        CountingExchange() {
            super(null, null);
        }

        @Override
        public ServiceTokenApi.Token exchange() {
            return new ServiceTokenApi.Token("token-" + calls.incrementAndGet(), "Bearer", 300);
        }
    }

    private static ClientRequestContext request(MultivaluedMap<String, Object> headers) {
        return (ClientRequestContext) Proxy.newProxyInstance(ServiceTokenFilterTest.class.getClassLoader(),
                new Class<?>[] {ClientRequestContext.class}, (p, m, a) -> m.getName().equals("getHeaders") ? headers : null);
    }

    private static ClientResponseContext response(int status, boolean challenge) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        if (challenge) {
            headers.putSingle("WWW-Authenticate", "Bearer");
        }
        return (ClientResponseContext) Proxy.newProxyInstance(ServiceTokenFilterTest.class.getClassLoader(),
                new Class<?>[] {ClientResponseContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "getStatus" -> status;
                    case "getHeaders" -> headers;
                    default -> null;
                });
    }

    private static String sentToken(ServiceTokenFilter filter) {
        MultivaluedMap<String, Object> headers = new MultivaluedHashMap<>();
        filter.filter(request(headers));
        return (String) headers.getFirst("Authorization");
    }

    @Test
    void aRefusedTokenIsReplacedOnTheNextCall() {
        CountingExchange exchange = new CountingExchange();
        ServiceTokenFilter filter = new ServiceTokenFilter(new ServiceTokenProvider(exchange));
        assertEquals("Bearer token-1", sentToken(filter));
        assertEquals("Bearer token-1", sentToken(filter), "the token is reused while valid");
        filter.filter(request(new MultivaluedHashMap<>()), response(401, true));
        assertEquals("Bearer token-2", sentToken(filter), "a 401 with the bearer challenge drops the cached token");
        assertEquals(2, exchange.calls.get());
    }

    @Test
    void otherAnswersKeepTheToken() {
        CountingExchange exchange = new CountingExchange();
        ServiceTokenFilter filter = new ServiceTokenFilter(new ServiceTokenProvider(exchange));
        sentToken(filter);
        filter.filter(request(new MultivaluedHashMap<>()), response(401, false));
        filter.filter(request(new MultivaluedHashMap<>()), response(403, true));
        filter.filter(request(new MultivaluedHashMap<>()), response(500, false));
        assertEquals("Bearer token-1", sentToken(filter));
        assertEquals(1, exchange.calls.get(), "a 401 about the body, a 403 or a 500 is no reason to fetch a new token");
    }

    @Test
    void aCallerWithItsOwnAuthorizationKeepsIt() {
        ServiceTokenFilter filter = new ServiceTokenFilter(new ServiceTokenProvider(new CountingExchange()));
        MultivaluedMap<String, Object> headers = new MultivaluedHashMap<>();
        headers.putSingle("Authorization", "Bearer mine");
        filter.filter(request(headers));
        assertEquals("Bearer mine", headers.getFirst("Authorization"));
    }
}
