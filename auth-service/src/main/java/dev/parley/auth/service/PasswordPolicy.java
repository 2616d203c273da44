package dev.parley.auth.service;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.parley.platform.error.ApiException;

/**
 * What a password must be: 10 to 128 characters, not only whitespace, not the username, not one of the most
 * common passwords. Length over composition rules, as NIST SP 800-63B recommends.
 */
public final class PasswordPolicy {
    static final int MIN = 10;
    static final int MAX = 128;
    private static final Set<String> COMMON = Set.of(
            "1234567890", "12345678910", "123456789a", "qwertyuiop", "password12", "password123", "password1234",
            "1q2w3e4r5t", "qwerty1234", "iloveyou12", "abcdefghij", "0123456789", "1111111111", "aaaaaaaaaa",
            "letmein123", "welcome123", "administrator", "passw0rd123", "qwerty12345", "football12");

    private PasswordPolicy() { }

    public static void check(String username, String password) {
        String problem = null;
        if (password.length() < MIN) {
            problem = "must be at least " + MIN + " characters";
        } else if (password.length() > MAX) {
            problem = "must be at most " + MAX + " characters";
        } else if (password.isBlank()) {
            problem = "must not be only whitespace";
        } else if (password.equalsIgnoreCase(username)) {
            problem = "must not be the username";
        } else if (COMMON.contains(password.toLowerCase(Locale.ROOT))) {
            problem = "is too common";
        }
        if (problem != null) {
            throw new ApiException(400, "WEAK_PASSWORD", "The password " + problem,
                    Map.of("fields", Map.of("password", problem), "min_length", MIN, "max_length", MAX));
        }
    }
}
