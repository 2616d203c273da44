package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.admin;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.auth.AuthFixtures.unique;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.config.RegistrationMode;
import dev.parley.auth.repository.InviteRepository;
import dev.parley.auth.service.InviteService;
import dev.parley.auth.service.Registration;
import dev.parley.testsupport.LogCapture;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Registration modes (open by default; invite; closed), invite codes and the admin's account creation. The modes other
 * than the default are set per test by replacing the {@link Registration} bean's mode (one application for the module).
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class RegistrationTest {
    @Inject
    AuthConfig config;
    @Inject
    InviteService inviteService;
    @Inject
    InviteRepository inviteRows;

    private void mode(RegistrationMode mode) {
        QuarkusMock.installMockForType(new Registration(config, inviteService) {
            @Override
            public RegistrationMode mode() {
                return mode;
            }
        }, Registration.class);
    }

    private static Response registerWith(String username, String password, String inviteCode) {
        Map<String, Object> body = new HashMap<>(Map.of("username", username, "password", password));
        if (inviteCode != null) {
            body.put("invite_code", inviteCode);
        }
        return given().contentType("application/json").body(body).when().post("/api/v1/auth/register");
    }

    private static JsonPath invite(Account admin, Map<String, Object> body) {
        return admin.as().contentType("application/json").body(body).when().post("/api/v1/invites")
                .then().statusCode(201).extract().jsonPath();
    }

    private static ValidatableResponse mode() {
        return given().get("/api/v1/auth/registration").then().statusCode(200);
    }

    @Test
    void registrationIsOpenByDefaultAndAnInviteCodeIsThenIgnored() {
        mode().body("mode", equalTo("open"));
        Account admin = admin();
        JsonPath inv = invite(admin, Map.of("note", "unused in open mode"));
        registerWith(unique("open"), PASSWORD, null).then().statusCode(201);
        registerWith(unique("open"), PASSWORD, inv.getString("code")).then().statusCode(201);
        admin.as().get("/api/v1/invites?limit=200").then().statusCode(200)
                .body("data.find { it.id == '" + inv.getString("id") + "' }.uses", equalTo(0));
    }

    @Test
    void withInvitesRegistrationNeedsAValidCodeAndASingleUseCodeWorksOnce() {
        mode(RegistrationMode.INVITE);
        mode().body("mode", equalTo("invite"));
        Account admin = admin();
        assertErrorShape(registerWith(unique("uninvited"), PASSWORD, null).then(), 403, "INVITE_INVALID");
        assertErrorShape(registerWith(unique("guesser"), PASSWORD, "inv_AAAAAAAAAAAAAAAAAAAAAA").then(), 403,
                "INVITE_INVALID");

        Instant before = Instant.now();
        JsonPath inv = invite(admin, Map.of("note", "for Dana"));
        String code = inv.getString("code");
        assertTrue(code.startsWith("inv_") && code.length() >= 26, code);
        assertEquals("for Dana", inv.getString("note"));
        assertEquals(1, inv.getInt("max_uses"));
        assertEquals(0, inv.getInt("uses"));
        assertEquals(admin.id(), inv.getString("created_by"));
        assertNotNull(inv.getString("created_at"));
        Instant expires = Instant.parse(inv.getString("expires_at"));
        assertTrue(!expires.isBefore(before.plus(Duration.ofDays(7)).minusSeconds(5))
                && !expires.isAfter(Instant.now().plus(Duration.ofDays(7)).plusSeconds(5)), "7 days by default: " + expires);

        registerWith(unique("dana"), PASSWORD, code).then().statusCode(201).body("access_token", notNullValue());
        assertErrorShape(registerWith(unique("dana-again"), PASSWORD, code).then(), 403, "INVITE_INVALID");

        // the list shows the use and never the code
        String listed = admin.as().get("/api/v1/invites?limit=200").then().statusCode(200)
                .body("data.find { it.id == '" + inv.getString("id") + "' }.uses", equalTo(1))
                .body("data.find { it.id == '" + inv.getString("id") + "' }.max_uses", equalTo(1))
                .extract().asString();
        assertFalse(listed.contains(code), "the list never shows a code");
        assertFalse(listed.contains("\"code\""), "the list has no code field");
    }

    @Test
    void expiredDeletedAndUsedUpCodesGetTheSameAnswer() {
        mode(RegistrationMode.INVITE);
        Account admin = admin();
        JsonPath expired = invite(admin, Map.of());
        QuarkusTransaction.requiringNew().run(() -> inviteRows.findById(UUID.fromString(expired.getString("id")))
                .expiresAt = Instant.now().minusSeconds(1));
        JsonPath deleted = invite(admin, Map.of());
        admin.as().delete("/api/v1/invites/" + deleted.getString("id")).then().statusCode(204);
        assertErrorShape(admin.as().delete("/api/v1/invites/" + deleted.getString("id")).then(), 404, "INVITE_NOT_FOUND");
        JsonPath usedUp = invite(admin, Map.of());
        registerWith(unique("first"), PASSWORD, usedUp.getString("code")).then().statusCode(201);

        String message = null;
        for (JsonPath inv : List.of(expired, deleted, usedUp)) {
            String m = assertErrorShape(registerWith(unique("late"), PASSWORD, inv.getString("code")).then(), 403,
                    "INVITE_INVALID").extract().path("error.message");
            if (message != null) {
                assertEquals(message, m, "one answer that does not say why");
            }
            message = m;
        }
    }

    @Test
    void aFailedRegistrationGivesTheInviteUseBack() {
        Account taken = register("taken");
        mode(RegistrationMode.INVITE);
        Account admin = admin();
        String code = invite(admin, Map.of()).getString("code");
        assertErrorShape(registerWith(unique("weak"), "short", code).then(), 400, "WEAK_PASSWORD");
        assertErrorShape(registerWith(taken.username(), PASSWORD, code).then(), 409, "USERNAME_TAKEN");
        registerWith(unique("after-failures"), PASSWORD, code).then().statusCode(201);
    }

    @Test
    void registrationsRacingForTheLastUsesGetOnlyThoseUses() throws Exception {
        mode(RegistrationMode.INVITE);
        Account admin = admin();
        String code = invite(admin, Map.of("max_uses", 2)).getString("code");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Callable<Integer> call = () -> registerWith(unique("racer"), PASSWORD, code).statusCode();
                results.add(pool.submit(call));
            }
            int created = 0;
            int refused = 0;
            for (Future<Integer> f : results) {
                int status = f.get();
                if (status == 201) {
                    created++;
                } else if (status == 403) {
                    refused++;
                }
            }
            assertEquals(2, created, "exactly max_uses registrations win");
            assertEquals(4, refused);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void invitesAreForAdminsWithValidatedBodiesAndKeysetPages() {
        Account admin = admin();
        Account user = register("not-admin");
        assertErrorShape(user.as().contentType("application/json").body("{}").post("/api/v1/invites").then(), 403, "FORBIDDEN");
        assertErrorShape(user.as().get("/api/v1/invites").then(), 403, "FORBIDDEN");
        assertErrorShape(given().get("/api/v1/invites").then(), 401, "UNAUTHENTICATED");

        for (Object[] bad : new Object[][]{{"max_uses", 0}, {"max_uses", InviteService.MAX_USES + 1}, {"max_uses", "2"},
                {"expires_at", Instant.now().minusSeconds(60).toString()},
                {"expires_at", Instant.now().plus(Duration.ofDays(400)).toString()},
                {"expires_at", "tomorrow"}, {"note", "x".repeat(201)}}) {
            assertErrorShape(admin.as().contentType("application/json").body(Map.of((String) bad[0], bad[1]))
                    .post("/api/v1/invites").then(), 400, "VALIDATION_FAILED")
                    .body("error.details.fields", org.hamcrest.Matchers.hasKey((String) bad[0]));
        }
        JsonPath custom = invite(admin, Map.of("max_uses", 5, "expires_at", Instant.now().plus(Duration.ofDays(2)).toString()));
        assertEquals(5, custom.getInt("max_uses"));

        List<String> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            made.add(invite(admin, Map.of("note", "page " + i)).getString("id"));
        }
        JsonPath first = admin.as().get("/api/v1/invites?limit=2").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(made.get(2), made.get(1)), first.getList("data.id"), "newest first");
        String cursor = first.getString("next_cursor");
        admin.as().queryParam("limit", 2).queryParam("cursor", cursor).get("/api/v1/invites").then().statusCode(200)
                .body("data.id", hasItem(made.get(0)))
                .body("data.id", not(hasItem(made.get(1))));
        assertErrorShape(admin.as().get("/api/v1/invites?cursor=nonsense").then(), 400, "INVALID_CURSOR");
        assertErrorShape(admin.as().delete("/api/v1/invites/" + UUID.randomUUID()).then(), 404, "INVITE_NOT_FOUND");
    }

    @Test
    void closedRegistrationIsRefusedAndAdminsStillCreateUsers() {
        mode(RegistrationMode.CLOSED);
        mode().body("mode", equalTo("closed"));
        assertErrorShape(registerWith(unique("closed"), PASSWORD, null).then(), 403, "REGISTRATION_CLOSED");
        Account admin = admin();
        String name = unique("made-by-admin");
        String email = name + "@example.org";
        admin.as().contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD, "email", email))
                .post("/api/v1/users").then().statusCode(201)
                .body("id", notNullValue())
                .body("username", equalTo(name))
                .body("email", equalTo(email))
                .body("roles", equalTo(List.of("user")))
                .body("enabled", equalTo(true));
        AuthFixtures.login(name, PASSWORD);
        AuthFixtures.login(email, PASSWORD);

        String adminName = unique("second-admin");
        admin.as().contentType("application/json")
                .body(Map.of("username", adminName, "password", PASSWORD, "roles", List.of("admin")))
                .post("/api/v1/users").then().statusCode(201)
                .body("roles", equalTo(List.of("user", "admin")));

        assertErrorShape(admin.as().contentType("application/json").body(Map.of("username", name, "password", PASSWORD))
                .post("/api/v1/users").then(), 409, "USERNAME_TAKEN");
        assertErrorShape(admin.as().contentType("application/json")
                .body(Map.of("username", unique("other"), "password", PASSWORD, "email", email.toUpperCase()))
                .post("/api/v1/users").then(), 409, "EMAIL_TAKEN");
        assertErrorShape(admin.as().contentType("application/json")
                .body(Map.of("username", unique("weak"), "password", "short"))
                .post("/api/v1/users").then(), 400, "WEAK_PASSWORD");
        assertErrorShape(admin.as().contentType("application/json")
                .body(Map.of("username", unique("odd-role"), "password", PASSWORD, "roles", List.of("root")))
                .post("/api/v1/users").then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields.roles", notNullValue());
        Account user = AuthFixtures.login(name, PASSWORD);
        assertErrorShape(user.as().contentType("application/json").body(Map.of("username", unique("x"), "password", PASSWORD))
                .post("/api/v1/users").then(), 403, "FORBIDDEN");
    }

    @Test
    void anInviteCodeAppearsOnlyInTheAnswerThatCreatesIt() {
        mode(RegistrationMode.INVITE);
        Account admin = admin();
        List<String> bodies = new ArrayList<>();
        String code;
        try (LogCapture logs = LogCapture.start()) {
            JsonPath inv = invite(admin, Map.of("note", "planted"));
            code = inv.getString("code");
            bodies.add(registerWith(unique("invited"), PASSWORD, code).then().statusCode(201).extract().asString());
            bodies.add(registerWith(unique("invited"), PASSWORD, code).then().statusCode(403).extract().asString());
            bodies.add(admin.as().get("/api/v1/invites").then().statusCode(200).extract().asString());
            bodies.add(admin.as().delete("/api/v1/invites/" + inv.getString("id")).then().statusCode(204).extract().asString());
            bodies.add(given().get("/q/metrics").then().statusCode(200).extract().asString());
            List<String> lines = logs.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("invite") && l.contains("created")),
                    "the capture must have seen the invite being created");
            for (String line : lines) {
                assertFalse(line.contains(code) || line.contains(code.substring(4)),
                        "a log line holds the code: " + line.substring(0, Math.min(100, line.length())));
            }
        }
        for (String body : bodies) {
            assertFalse(body.contains(code.substring(4)), "an answer or the metrics hold the code");
        }
    }
}
