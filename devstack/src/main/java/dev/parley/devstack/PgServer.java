package dev.parley.devstack;

/**
 * Where the services' databases live and how to log in. {@code jdbcUrl(db)} is {@code jdbcBase + db + jdbcQuery}.
 * {@link #toString()} leaves the password out.
 *
 * @param jdbcBase      e.g. {@code jdbc:postgresql://127.0.0.1:54329/}, always ending with {@code /}
 * @param jdbcQuery     empty or {@code ?...} (e.g. {@code ?sslmode=require}), appended to every database URL
 * @param maintenanceDb the database to connect to when creating the others
 */
public record PgServer(String jdbcBase, String jdbcQuery, String maintenanceDb, String user, String password) {

    static final String PREFIX = "jdbc:postgresql://";

    public String jdbcUrl(String database) {
        return jdbcBase + database + jdbcQuery;
    }

    /** The embedded server: user postgres, no password (trust authentication on 127.0.0.1 only). */
    public static PgServer embedded(int port) {
        return new PgServer(PREFIX + "127.0.0.1:" + port + "/", "", "postgres", "postgres", "");
    }

    /**
     * An existing server from {@code PARLEY_PG_URL} such as {@code jdbc:postgresql://db:5432/} (a database name in it,
     * if any, is used only to create the Parley databases; query parameters are kept for every database).
     */
    public static PgServer external(String url, String user, String password) {
        if (url == null || !url.startsWith(PREFIX) || url.length() == PREFIX.length()) {
            throw new LaunchException("PARLEY_PG_URL must look like jdbc:postgresql://host:5432/ (got '" + url + "')");
        }
        int authorityEnd = url.length();
        for (int i = PREFIX.length(); i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?') {
                authorityEnd = i;
                break;
            }
        }
        String base = url.substring(0, authorityEnd) + "/";
        String rest = authorityEnd < url.length() && url.charAt(authorityEnd) == '/' ? url.substring(authorityEnd + 1)
                : url.substring(authorityEnd);
        int q = rest.indexOf('?');
        String database = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q);
        return new PgServer(base, query, database.isEmpty() ? "postgres" : database,
                user == null || user.isEmpty() ? "postgres" : user, password == null ? "" : password);
    }

    @Override
    public String toString() {
        return "PgServer[" + jdbcBase + jdbcQuery + ", user " + user + "]";
    }
}
