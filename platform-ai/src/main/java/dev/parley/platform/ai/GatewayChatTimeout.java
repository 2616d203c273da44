package dev.parley.platform.ai;

import java.time.Duration;

/** The longest wait for a gateway AI service call: each service using {@link GatewayChatModels} provides one bean. */
public interface GatewayChatTimeout {
    Duration timeout();
}
