package dev.parley.usage.repository;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.parley.usage.entity.Price;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * {@code prices} (the catalogue: a few hundred rows) and {@code price_catalogues} (which bundled versions were
 * imported). Native queries: the insert is an {@code on conflict do nothing returning}. Call them inside a
 * transaction.
 */
@ApplicationScoped
public class PriceRepository {
    private final EntityManager em;

    public PriceRepository(EntityManager em) {
        this.em = em;
    }

    /** Claims the import of a bundled catalogue version: true for the one replica that imports it (others wait on its row). */
    public boolean claimCatalogue(String version, int entries) {
        return em.createNativeQuery("insert into price_catalogues (version, entries) values (?1, ?2) on conflict do nothing")
                .setParameter(1, version).setParameter(2, entries).executeUpdate() == 1;
    }

    /** Stores a price; its id, or null when a price for that provider, model, match and time exists (nothing stored). */
    public Long insert(Price p, String version, UUID by) {
        List<?> ids = em.createNativeQuery("""
                        insert into prices (provider, model, match, input_per_mtok, output_per_mtok, cached_input_per_mtok,
                          cache_write_per_mtok, reasoning_per_mtok, per_image, long_context_threshold_tokens,
                          long_context_input_per_mtok, long_context_output_per_mtok, effective_from, source, catalogue_version, created_by)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                        on conflict (provider, model, match, effective_from) do nothing returning id""")
                .setParameter(1, p.provider()).setParameter(2, p.model()).setParameter(3, p.match())
                .setParameter(4, p.inputPerMtok()).setParameter(5, p.outputPerMtok()).setParameter(6, p.cachedInputPerMtok())
                .setParameter(7, p.cacheWritePerMtok()).setParameter(8, p.reasoningPerMtok()).setParameter(9, p.perImage())
                .setParameter(10, p.longContextThresholdTokens()).setParameter(11, p.longContextInputPerMtok())
                .setParameter(12, p.longContextOutputPerMtok()).setParameter(13, Timestamp.from(p.effectiveFrom()))
                .setParameter(14, p.source()).setParameter(15, version).setParameter(16, by).getResultList();
        return ids.isEmpty() ? null : ((Number) ids.get(0)).longValue();
    }

    /**
     * Changes a price's figures in place, only where the row still has the price's provider, model, match and time;
     * the rows changed (0: no such price with that identity).
     */
    public int updateFigures(long id, Price p) {
        return em.createNativeQuery("""
                        update prices set input_per_mtok = ?1, output_per_mtok = ?2, cached_input_per_mtok = ?3,
                          cache_write_per_mtok = ?4, reasoning_per_mtok = ?5, per_image = ?6, long_context_threshold_tokens = ?7,
                          long_context_input_per_mtok = ?8, long_context_output_per_mtok = ?9, source = ?10
                        where id = ?11 and provider = ?12 and model = ?13 and match = ?14 and effective_from = ?15""")
                .setParameter(1, p.inputPerMtok()).setParameter(2, p.outputPerMtok()).setParameter(3, p.cachedInputPerMtok())
                .setParameter(4, p.cacheWritePerMtok()).setParameter(5, p.reasoningPerMtok()).setParameter(6, p.perImage())
                .setParameter(7, p.longContextThresholdTokens()).setParameter(8, p.longContextInputPerMtok())
                .setParameter(9, p.longContextOutputPerMtok()).setParameter(10, p.source()).setParameter(11, id)
                .setParameter(12, p.provider()).setParameter(13, p.model()).setParameter(14, p.match())
                .setParameter(15, Timestamp.from(p.effectiveFrom())).executeUpdate();
    }

    /** Every stored price, in no particular order. */
    @SuppressWarnings("unchecked")
    public List<Price> all() {
        List<Object[]> rows = em.createNativeQuery("""
                select id, provider, model, match, input_per_mtok, output_per_mtok, cached_input_per_mtok, cache_write_per_mtok,
                       reasoning_per_mtok, per_image, long_context_threshold_tokens, long_context_input_per_mtok,
                       long_context_output_per_mtok, effective_from, source from prices""").getResultList();
        List<Price> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(new Price(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3], (BigDecimal) r[4],
                    (BigDecimal) r[5], (BigDecimal) r[6], (BigDecimal) r[7], (BigDecimal) r[8], (BigDecimal) r[9],
                    r[10] == null ? null : ((Number) r[10]).longValue(), (BigDecimal) r[11], (BigDecimal) r[12],
                    toInstant(r[13]), (String) r[14]));
        }
        return out;
    }

    private static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (o instanceof Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }
}
