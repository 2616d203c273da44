package dev.parley.auth;

import static dev.parley.auth.AccountJobFixtures.SERVICES;
import static dev.parley.auth.AccountJobFixtures.done;
import static dev.parley.auth.AccountJobFixtures.token;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.auth.service.Cleanup;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What an operator sees and relies on: pending-job metrics, a removed service, and body limits per endpoint. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AccountJobOperationsTest {
    @Inject
    DataSource db;
    @Inject
    Cleanup cleanup;

    @Test
    void pendingJobsShowInTheMetricsPerService() throws Exception {
        Account u = register("metered");
        String id = u.as().when().post("/api/v1/users/me/exports").then().statusCode(202).extract().path("id");
        Pattern pending = Pattern.compile("(?m)^parley_auth_account_jobs_pending\\{service=\"usage-service\"\\} ([0-9.]+)");
        Pattern oldest = Pattern.compile("(?m)^parley_auth_account_jobs_oldest_seconds\\{service=\"usage-service\"\\} ([0-9.E]+)");
        double jobs = 0;
        String text = "";
        for (int i = 0; i < 30 && jobs < 1; i++) { // the gauges read the database at most every 10 s
            text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            Matcher m = pending.matcher(text);
            jobs = m.find() ? Double.parseDouble(m.group(1)) : 0;
            if (jobs < 1) {
                Thread.sleep(500);
            }
        }
        assertTrue(jobs >= 1, text);
        assertTrue(oldest.matcher(text).find(), "the oldest job's age per service");
        for (String service : SERVICES) {
            done(token(service), id).statusCode(204);
        }
    }

    @Test
    void jobsThatWaitOnlyForARemovedServiceAreCompletedByTheCleanup() throws Exception {
        Account u = register("retired");
        String id = u.as().when().post("/api/v1/users/me/exports").then().statusCode(202).extract().path("id");
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO account_job_services (job_id, service, created_at) VALUES (?, 'retired-service', now())")) {
            ps.setObject(1, UUID.fromString(id));
            ps.executeUpdate();
        }
        // every configured service reports: the export no longer waits for one that is not configured
        for (String service : SERVICES) {
            done(token(service), id).statusCode(204);
        }
        u.as().when().get("/api/v1/users/me/exports/" + id).then().statusCode(200).body("status", equalTo("ready"));
        // the operator removed a service after the others had reported: the cleanup completes what waited for it
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE account_jobs SET ready_at = NULL WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(id));
            ps.executeUpdate();
        }
        u.as().when().get("/api/v1/users/me/exports/" + id).then().statusCode(200).body("status", equalTo("building"));
        assertTrue(cleanup.run(Instant.now()).accountJobs() >= 1);
        u.as().when().get("/api/v1/users/me/exports/" + id).then().statusCode(200).body("status", equalTo("ready"));
    }

    @Test
    void everyOtherEndpointKeepsTheOneMegabyteLimit() {
        String big = "{\"username\":\"" + "x".repeat(1_200_000) + "\",\"password\":\"p\"}";
        assertErrorShape(given().contentType("application/json").body(big).when().post("/api/v1/auth/login").then(),
                413, "PAYLOAD_TOO_LARGE").body("error.details.max_bytes", equalTo(1_048_576));
        assertErrorShape(given().auth().oauth2(token("usage-service")).contentType("application/json").body(big)
                .when().post("/internal/v1/access-keys/verify").then(), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void anExportFileOverEightMegabytesIsRefusedFromItsDeclaredLength() throws Exception {
        String token = token("usage-service");
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("PUT /internal/v1/account-jobs/" + java.util.UUID.randomUUID()
                    + "/files?name=a.json HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (8L * 1024 * 1024 + 1) + "\r\n\r\n[")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = read(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("PAYLOAD_TOO_LARGE") && answer.contains("8388608"), answer);
        }
    }

    private static String read(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (true) {
            String sofar = out.toString(StandardCharsets.UTF_8);
            int headerEnd = sofar.indexOf("\r\n\r\n");
            if (headerEnd >= 0) {
                Matcher m = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(sofar.substring(0, headerEnd));
                long length = m.find() ? Long.parseLong(m.group(1)) : 0;
                if (out.size() >= headerEnd + 4 + length) {
                    return sofar;
                }
            }
            int n = in.read(buf);
            if (n < 0) {
                return sofar;
            }
            out.write(buf, 0, n);
        }
    }
}
