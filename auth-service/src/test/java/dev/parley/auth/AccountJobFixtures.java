package dev.parley.auth;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

import io.restassured.response.ValidatableResponse;

/** The four services of parley.account.services, as platform's AccountJobs talks to auth-service. */
final class AccountJobFixtures {
    static final List<String> SERVICES = List.of("session-service", "llm-gateway-service", "memory-service", "usage-service");

    private AccountJobFixtures() { }

    static String token(String service) {
        return switch (service) {
            case "session-service" -> AuthFixtures.sessionServiceToken();
            case "llm-gateway-service" -> AuthFixtures.gatewayToken();
            case "memory-service" -> AuthFixtures.serviceToken("memory-service", "test-memory-secret");
            case "usage-service" -> AuthFixtures.serviceToken("usage-service", "test-usage-secret");
            default -> throw new IllegalArgumentException(service);
        };
    }

    /** This service's pending jobs for that user ({@code {"id","kind","user_id","created_at"}} each). */
    static List<Map<String, Object>> pending(String token, String userId) {
        List<Map<String, Object>> all = given().auth().oauth2(token).queryParam("limit", 200)
                .when().get("/internal/v1/account-jobs").then().statusCode(200).extract().jsonPath().getList("data");
        return all.stream().filter(j -> userId.equals(j.get("user_id"))).toList();
    }

    /** The one pending job of that kind for the user, as this service sees it. */
    static String jobOf(String token, String userId, String kind) {
        List<Map<String, Object>> jobs = pending(token, userId).stream().filter(j -> kind.equals(j.get("kind"))).toList();
        if (jobs.size() != 1) {
            throw new AssertionError("expected one pending " + kind + " job, got " + jobs);
        }
        return (String) jobs.get(0).get("id");
    }

    static ValidatableResponse done(String token, String jobId) {
        return given().auth().oauth2(token).when().post("/internal/v1/account-jobs/" + jobId + "/done").then();
    }

    static ValidatableResponse file(String token, String jobId, String name, String json) {
        return given().auth().oauth2(token).contentType("application/json").queryParam("name", name).body(json)
                .when().put("/internal/v1/account-jobs/" + jobId + "/files").then();
    }
}
