package dev.parley.platform.auth;

import java.util.List;
import java.util.Locale;

/**
 * An access key's {@code allowed_models}: model names or patterns where {@code *} matches any run of characters
 * ({@code openai/*}, {@code *mini*}). An empty list allows every model. Matching ignores case.
 */
public final class AllowedModels {
    private AllowedModels() { }

    public static boolean permits(List<String> allowed, String model) {
        if (allowed == null || allowed.isEmpty()) {
            return true;
        }
        if (model == null) {
            return false;
        }
        String m = model.toLowerCase(Locale.ROOT);
        for (String pattern : allowed) {
            if (matches(pattern.toLowerCase(Locale.ROOT), m)) {
                return true;
            }
        }
        return false;
    }

    /** Glob match with '*' only, linear time (no regex, no backtracking blow-up). */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
