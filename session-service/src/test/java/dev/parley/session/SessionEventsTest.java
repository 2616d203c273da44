package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** A session's event stream: what a client sees, resuming with Last-Event-ID, and delivery to another replica. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class SessionEventsTest {
    private UUID user;
    private String token;
    private String session;

    @BeforeEach
    void sessionWithAGateway() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));
        session = given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"parley/echo\"}")
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath().getString("id");
    }

    private record Ev(String id, String type, String data) { }

    /** Reads the stream's events into a queue on a thread of its own. */
    private BlockingQueue<Ev> open(String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                + "/api/v1/sessions/" + session + "/events")).header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> resp = HttpClient.newHttpClient().send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        BlockingQueue<Ev> q = new ArrayBlockingQueue<>(100);
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                String id = null;
                String type = null;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        q.add(new Ev(id, type, line.substring(6)));
                    }
                }
            } catch (Exception ignored) {
                // the test ended
            }
        });
        t.setDaemon(true);
        t.start();
        Thread.sleep(300); // subscribed before the test acts
        return q;
    }

    private static List<Ev> take(BlockingQueue<Ev> q, int n) throws Exception {
        List<Ev> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Ev e = q.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("only " + out + " arrived");
            }
            out.add(e);
        }
        return out;
    }

    @Test
    void aTurnShowsUpOnTheSessionsStreamAndAResumeGetsWhatWasMissed() throws Exception {
        BlockingQueue<Ev> q = open(null);
        JsonPath turn = given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"Hello events\"}")
                .post("/api/v1/sessions/" + session + "/messages").then().statusCode(201).extract().jsonPath();
        List<Ev> got = take(q, 3);
        assertEquals("message.created", got.get(0).type());
        assertTrue(got.get(0).data().contains(turn.getString("user_message.id")));
        assertEquals("message.completed", got.get(1).type());
        assertTrue(got.get(1).data().contains(turn.getString("assistant_message.id")));
        assertEquals("title.changed", got.get(2).type());
        assertTrue(got.get(2).data().contains("Hello events"));

        BlockingQueue<Ev> resumed = open(got.get(0).id());
        List<Ev> missed = take(resumed, 2);
        assertEquals(got.get(1).id(), missed.get(0).id());
        assertEquals(got.get(2).id(), missed.get(1).id());
    }

    @Test
    void onlyTheOwnerMayListen() {
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "mallory")).get("/api/v1/sessions/" + session + "/events")
                .then().statusCode(404);
        given().get("/api/v1/sessions/" + session + "/events").then().statusCode(401);
    }

    @Test
    void anotherReplicaListeningOnTheSameDatabaseIsNotified() throws Exception {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        String dbUser = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.username", String.class).orElse("");
        String dbPassword = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.password", String.class).orElse("");
        try (Connection c = DriverManager.getConnection(url, dbUser, dbPassword)) {
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN parley_session_events");
            }
            given().auth().oauth2(token).contentType("application/json").body("{\"title\":\"renamed\"}")
                    .patch("/api/v1/sessions/" + session).then().statusCode(200);
            PGConnection pg = c.unwrap(PGConnection.class);
            long until = System.currentTimeMillis() + 5000;
            boolean seen = false;
            while (!seen && System.currentTimeMillis() < until) {
                PGNotification[] n = pg.getNotifications(500);
                if (n != null) {
                    for (PGNotification x : n) {
                        seen |= x.getParameter().endsWith(":" + session);
                    }
                }
            }
            assertTrue(seen, "the NOTIFY reached a second listener of the same database");
        }
    }
}
