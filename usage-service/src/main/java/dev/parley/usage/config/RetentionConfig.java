package dev.parley.usage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What happens to a deleted account's usage records ({@code parley.usage.retention.*}). */
@ConfigMapping(prefix = "parley.usage.retention")
public interface RetentionConfig {

    enum AccountDeletion {
        /** Every usage record of the user goes (the totals across users keep their sums, which name no one). */
        DELETE,
        /**
         * The call records stay for the operator's books with no one's name on them: the user, access key, session
         * and message ids are cleared (the user becomes the nil UUID); the user's own rollups, budgets and spend go.
         */
        ANONYMIZE
    }

    @WithDefault("delete")
    AccountDeletion accountDeletion();
}
