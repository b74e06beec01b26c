package dev.mtasts.dns;

import dev.mtasts.core.Announcement;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.StsRecord;
import dev.mtasts.core.TxtRecord;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Brings the {@code _mta-sts} TXT records of domains in line with their rows (RFC 8461 §3.1, §8).
 *
 * <p>The policy function reads the row strongly consistent and caches nothing, so once a row is written every
 * request serves its body; this runs after the write (from the table's stream, or by hand), so the id it announces
 * is never ahead of the body (§8.1). Records are only written when their value changes, in one change batch per
 * zone; the outcome is written back to the row ({@code dns_*} attributes), which the stream handler ignores.
 */
public final class DnsSync {
    private final DomainStore store;
    private final Zones zones;
    private final Emf emf;
    private final Clock clock;
    private final long ttl;

    public DnsSync(DomainStore store, Zones zones, Emf emf, Clock clock, long ttl) {
        this.store = store;
        this.zones = zones;
        this.emf = emf;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** What happened to one domain. */
    public record Result(DomainName domain, Action action, String detail) {
        @Override
        public String toString() {
            return domain + ": " + action.text + (detail.isEmpty() ? "" : " " + detail);
        }
    }

    public enum Action {
        PUBLISHED("published"), UNCHANGED("unchanged"), REFUSED("refused:"), REMOVED("removed"), NO_ZONE("no zone:");

        final String text;

        Action(String text) {
            this.text = text;
        }
    }

    /**
     * Syncs the given domains. {@code zoneId} pins the hosted zone (else each domain's zone is looked up);
     * {@code dryRun} computes and reports without changing DNS or rows.
     */
    public List<Result> sync(List<DomainName> domains, String zoneId, boolean dryRun) {
        Map<Zones.Zone, List<Change>> batches = new LinkedHashMap<>();
        List<Result> results = new ArrayList<>();
        List<Runnable> statusWrites = new ArrayList<>();
        Map<Zones.Zone, List<DomainName>> byZone = new LinkedHashMap<>();
        for (DomainName domain : domains) {
            Optional<Zones.Zone> zone = zoneId == null ? zones.zoneFor(domain) : Optional.of(zones.zone(zoneId));
            if (zone.isEmpty()) {
                results.add(new Result(domain, Action.NO_ZONE, "no public Route53 zone holds " + domain));
            } else {
                byZone.computeIfAbsent(zone.get(), z -> new ArrayList<>()).add(domain);
            }
        }
        for (Map.Entry<Zones.Zone, List<DomainName>> entry : byZone.entrySet()) {
            Zones.Zone zone = entry.getKey();
            // two look-ups a domain, or the whole zone at once: whichever takes fewer requests
            Zones.Records records = entry.getValue().size() > SNAPSHOT_FROM ? zones.snapshot(zone) : zones.targeted(zone);
            for (DomainName domain : entry.getValue()) {
                Optional<Map<String, Object>> item = store.find(domain);
                List<String> mx = item.isPresent() ? records.mxHosts(domain) : List.of();
                Announcement decision = Announcement.decide(item, mx);
                String name = domain.stsRecordName();
                Optional<ResourceRecordSet> currentSet = records.find(name, RRType.TXT);
                List<List<String>> current = Zones.txt(currentSet);
                String published = current.isEmpty() ? null : TxtRecord.join(current.get(0));
                if (decision instanceof Announcement.Publish p) {
                    String value = p.record().render();
                    boolean same = current.size() == 1 && value.equals(published);
                    if (!same) {
                        batches.computeIfAbsent(zone, z -> new ArrayList<>()).add(upsert(name, value));
                    }
                    String warning = p.uncovered().isEmpty() ? ""
                            : " (testing policy does not cover MX " + String.join(", ", p.uncovered()) + ")";
                    results.add(new Result(domain, same ? Action.UNCHANGED : Action.PUBLISHED, value + warning));
                    String body = p.policy().render();
                    statusWrites.add(() -> store.recordDns(domain, "announced" + warning, p.record().id(), body,
                            clock.instant()));
                } else if (decision instanceof Announcement.Refuse r) {
                    results.add(new Result(domain, Action.REFUSED, r.reason()
                            + (published == null ? "; nothing is published" : "; still published: " + published)));
                    statusWrites.add(() -> store.recordDns(domain, "refused: " + r.reason(), idOf(published), null,
                            clock.instant()));
                    emf.put(List.of(List.of("Domain"), List.of()), Map.of("Domain", domain.value()),
                            Map.of("AnnouncementsRefused", 1L), Map.of("Reason", r.reason()));
                } else if (current.isEmpty()) {
                    results.add(new Result(domain, Action.UNCHANGED, "(no row, no record)"));
                } else {
                    batches.computeIfAbsent(zone, z -> new ArrayList<>())
                            .add(Change.builder().action(ChangeAction.DELETE).resourceRecordSet(currentSet.get()).build());
                    results.add(new Result(domain, Action.REMOVED, published));
                }
            }
        }
        if (!dryRun) {
            int changes = 0;
            for (Map.Entry<Zones.Zone, List<Change>> batch : batches.entrySet()) {
                zones.change(batch.getKey(), batch.getValue(), "mta-sts-serverless: _mta-sts follows the policy rows");
                changes += batch.getValue().size();
            }
            statusWrites.forEach(Runnable::run);
            if (changes > 0) {
                emf.put(List.of(List.of()), Map.of(), Map.of("RecordChanges", (long) changes), Map.of());
            }
        }
        return results;
    }

    private Change upsert(String name, String value) {
        return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(RRType.TXT).ttl(ttl)
                .resourceRecords(ResourceRecord.builder().value(TxtRecord.quote(value)).build()).build()).build();
    }

    /** Counts domains whose sync failed and will be retried (metric {@code DnsSyncFailures}). */
    public void failed(int domains) {
        emf.put(List.of(List.of()), Map.of(), Map.of("DnsSyncFailures", (long) domains), Map.of());
    }

    /** A zone with more domains than this in one sync is read whole rather than looked up domain by domain. */
    static final int SNAPSHOT_FROM = 3;

    /** Seed values for a domain that has no row yet: safe to announce at once. */
    public static final long SEED_MAX_AGE = 86_400;

    /**
     * Creates a safe starting row for a domain that has none: mode {@code testing}, {@code max_age} one day, and
     * the domain's MX hosts as patterns. Returns the hosts, or empty when a row was already there.
     *
     * @throws IllegalStateException when the zone has no MX record for the domain
     */
    public List<String> seed(DomainName domain, Zones.Zone zone) {
        if (store.find(domain).isPresent()) {
            return List.of();
        }
        List<String> mx = zones.targeted(zone).mxHosts(domain);
        if (mx.isEmpty()) {
            throw new IllegalStateException("zone " + zone.name() + " has no MX record for " + domain
                    + "; add the MX records first, or a row with mta-sts domain put");
        }
        try {
            store.put(new dev.mtasts.core.DomainRow(domain,
                    dev.mtasts.core.Policy.of("testing", mx, Long.toString(SEED_MAX_AGE))));
        } catch (dev.mtasts.core.InvalidException e) {
            throw new IllegalStateException("the MX hosts of " + domain + " are not valid mx patterns: " + e.getMessage());
        }
        return mx;
    }

    /**
     * For a sync of the whole table: {@code _mta-sts} records in the zones of these rows whose domain has no row
     * any more (a deletion whose stream event was lost), so that the caller can sync them too, which removes them.
     */
    public List<DomainName> orphans(List<DomainName> rows) {
        java.util.Set<String> known = new java.util.HashSet<>();
        rows.forEach(d -> known.add(d.value()));
        java.util.Set<Zones.Zone> zonesOfRows = new java.util.LinkedHashSet<>();
        rows.forEach(d -> zones.zoneFor(d).ifPresent(zonesOfRows::add));
        List<DomainName> orphans = new ArrayList<>();
        for (Zones.Zone zone : zonesOfRows) {
            for (String name : zones.names(zone, RRType.TXT)) {
                if (name.startsWith("_mta-sts.") && !known.contains(name.substring("_mta-sts.".length()))) {
                    try {
                        orphans.add(DomainName.parse(name.substring("_mta-sts.".length())));
                    } catch (dev.mtasts.core.InvalidException e) {
                        // not a name this project writes
                    }
                }
            }
        }
        return orphans;
    }

    /** Removes a domain's {@code _mta-sts} record whatever its row says (its policy host is going away). */
    public Result withdraw(DomainName domain, Zones.Zone zone) {
        String name = domain.stsRecordName();
        Optional<ResourceRecordSet> set = zones.targeted(zone).find(name, RRType.TXT);
        if (set.isEmpty()) {
            return new Result(domain, Action.UNCHANGED, "(no record)");
        }
        zones.change(zone, List.of(Change.builder().action(ChangeAction.DELETE).resourceRecordSet(set.get()).build()),
                "mta-sts-serverless: policy host removed");
        return new Result(domain, Action.REMOVED, TxtRecord.join(Zones.txt(set).get(0)));
    }

    private static String idOf(String published) {
        if (published == null) {
            return null;
        }
        try {
            return StsRecord.parse(published).id();
        } catch (dev.mtasts.core.InvalidException e) {
            return null;
        }
    }
}
