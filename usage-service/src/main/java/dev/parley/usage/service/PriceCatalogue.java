package dev.parley.usage.service;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.parley.platform.error.ApiException;
import dev.parley.usage.entity.Price;
import dev.parley.usage.repository.PriceRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.jboss.logging.Logger;

/**
 * The price catalogue: the bundled, versioned {@code pricing/prices.json} (validated, imported once per version) plus
 * what admins add. Held in memory (a few hundred rows) and reloaded after every change; a call's price is the one
 * in force at the call's time for its provider and model: an exact entry first, else the longest matching prefix.
 */
@ApplicationScoped
public class PriceCatalogue {
    private static final Logger LOG = Logger.getLogger(PriceCatalogue.class);
    static final String BUNDLED = "pricing/prices.json";
    /** A sane catalogue: at least this many entries, at most that many (each price at most {@link PriceEntry#RANGE}). */
    static final int MIN_ENTRIES = 5;
    static final int MAX_ENTRIES = 5000;
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    private final PriceRepository repository;
    private final ObjectMapper mapper;
    private final Validator validator;
    private volatile List<Price> prices = List.of();

    public PriceCatalogue(PriceRepository repository, ObjectMapper mapper, Validator validator) {
        this.repository = repository;
        this.mapper = mapper;
        this.validator = validator;
    }

    void start(@Observes StartupEvent e) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the application");
            }
            JsonNode file = mapper.readTree(in);
            String version = file.path("version").asText("");
            List<Price> entries = parseCatalogue(file);
            QuarkusTransaction.requiringNew().run(() -> {
                // one replica imports a version: the others wait on its row, then find it there
                if (repository.claimCatalogue(version, entries.size())) {
                    int added = 0;
                    for (Price p : entries) {
                        if (repository.insert(p, version, null) != null) {
                            added++;
                        } else {
                            LOG.warnf("price catalogue %s: %s/%s (%s) from %s exists already and is kept as it is", version,
                                    p.provider(), p.model(), p.match(), p.effectiveFrom());
                        }
                    }
                    LOG.infof("price catalogue %s imported (%d of %d prices new)", version, added, entries.size());
                }
            });
        }
        reload();
    }

    /** Validates a whole catalogue file; refuses it (IllegalArgumentException) at the first problem. */
    public List<Price> parseCatalogue(JsonNode file) {
        for (Iterator<String> it = file.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("version", "currency", "notes", "prices").contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "' in the catalogue");
            }
        }
        if (!file.path("version").isTextual() || file.path("version").asText().isBlank()) {
            throw new IllegalArgumentException("the catalogue has no version");
        }
        if (!"USD".equals(file.path("currency").asText())) {
            throw new IllegalArgumentException("the catalogue's currency must be USD");
        }
        JsonNode list = file.path("prices");
        if (!list.isArray() || list.size() < MIN_ENTRIES || list.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("the catalogue must hold " + MIN_ENTRIES + " to " + MAX_ENTRIES + " prices");
        }
        List<Price> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode n : list) {
            if (!n.hasNonNull("effective_from")) {
                throw new IllegalArgumentException("every price of the catalogue names its effective_from");
            }
            Price p = price(entry(n));
            if (!seen.add(p.provider() + '\n' + p.model() + '\n' + p.match() + '\n' + p.effectiveFrom())) {
                throw new IllegalArgumentException("duplicate price for " + p.provider() + "/" + p.model());
            }
            out.add(p);
        }
        return out;
    }

    /** One price of the catalogue file, checked as the admin API checks a price; IllegalArgumentException names the problem. */
    PriceEntry entry(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a price is a JSON object");
        }
        PriceEntry entry;
        try {
            entry = mapper.treeToValue(n, PriceEntry.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown field '" + e.getPropertyName() + "'");
        } catch (JsonProcessingException e) {
            String field = e instanceof JsonMappingException m && !m.getPath().isEmpty() ? m.getPath().get(0).getFieldName() : "a field";
            throw new IllegalArgumentException(field + " has the wrong type");
        }
        List<ConstraintViolation<PriceEntry>> problems = new ArrayList<>(validator.validate(entry));
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing(v -> v.getPropertyPath().toString()));
            ConstraintViolation<PriceEntry> first = problems.get(0);
            throw new IllegalArgumentException(first.getPropertyPath() + " " + first.getMessage());
        }
        return entry;
    }

    /**
     * A valid entry as a price: names stripped, {@code match} exact unless given, {@code effective_from} now unless
     * given. IllegalArgumentException (always about {@code effective_from}) when its time is not an ISO-8601
     * instant from 2000 to 2100.
     */
    public Price price(PriceEntry e) {
        Instant from;
        try {
            from = e.effectiveFrom() != null ? Instant.parse(e.effectiveFrom()) : Instant.now();
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("effective_from is an ISO-8601 instant");
        }
        if (from.isBefore(EARLIEST) || from.isAfter(LATEST)) {
            throw new IllegalArgumentException("effective_from is between 2000 and 2100");
        }
        return new Price(null, e.provider().strip(), e.model().strip(), e.match() != null ? e.match() : Price.EXACT,
                e.inputPerMtok(), e.outputPerMtok(), e.cachedInputPerMtok(), e.cacheWritePerMtok(), e.reasoningPerMtok(),
                e.perImage(), e.longContextThresholdTokens(), e.longContextInputPerMtok(), e.longContextOutputPerMtok(), from,
                e.source());
    }

    /**
     * Stores a price (an admin's: 409 when that provider, model, match and time exist); reload afterwards. Call it
     * inside a transaction.
     */
    public long insert(Price p, UUID by) {
        Long id = repository.insert(p, null, by);
        if (id == null) {
            throw new ApiException(409, "PRICE_EXISTS", "A price for " + p.provider() + "/" + p.model() + " (" + p.match()
                    + ") from " + p.effectiveFrom() + " exists: change it with PUT /api/v1/pricing/" + "{id}.");
        }
        return id;
    }

    /** Changes a price's figures in place (its provider, model, match and effective time stay; 409 otherwise). */
    public void update(long id, Price p) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (repository.updateFigures(id, p) == 0) {
                throw new ApiException(409, "PRICE_IDENTITY_CHANGED", "A price's provider, model, match and effective_from cannot "
                        + "change: add a new price (POST) from the time the new figures apply.");
            }
        });
    }

    /** Another replica's changes apply here within 10 s. */
    @io.quarkus.scheduler.Scheduled(every = "10s", skipExecutionIf = io.quarkus.scheduler.Scheduled.ApplicationNotRunning.class)
    void refresh() {
        reload();
    }

    /** For tests: the catalogue as given (newest first after sorting). */
    void use(List<Price> list) {
        List<Price> out = new ArrayList<>(list);
        out.sort(Comparator.comparing(Price::effectiveFrom).reversed());
        prices = List.copyOf(out);
    }

    /** Rereads the catalogue from the database. */
    public void reload() {
        List<Price> out = new ArrayList<>(QuarkusTransaction.requiringNew().call(repository::all));
        // newest first, so the first match in force is the one that applies
        out.sort(Comparator.comparing(Price::effectiveFrom).reversed());
        prices = List.copyOf(out);
    }

    /** Every price, newest first. */
    public List<Price> all() {
        return prices;
    }

    /** The price in force at {@code at}: exact entries first, else the longest prefix; null when none. */
    public Price resolve(String provider, String model, Instant at) {
        Price exact = null;
        Price prefix = null;
        for (Price p : prices) {
            if (p.effectiveFrom().isAfter(at) || !p.matches(provider, model)) {
                continue;
            }
            if (Price.EXACT.equals(p.match())) {
                if (exact == null) {
                    exact = p; // newest in force
                }
            } else if (prefix == null || p.model().length() > prefix.model().length()) {
                prefix = p;
            }
        }
        return exact != null ? exact : prefix;
    }

    /** For tests and reports: the catalogue as a map of id to price. */
    public Map<Long, Price> byId() {
        Map<Long, Price> m = new java.util.HashMap<>();
        prices.forEach(p -> m.put(p.id(), p));
        return m;
    }
}
