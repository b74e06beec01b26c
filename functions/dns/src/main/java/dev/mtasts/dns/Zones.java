package dev.mtasts.dns;

import dev.mtasts.core.DomainName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

/** The Route53 reads and writes the DNS side needs: find a domain's zone, its MX hosts, its TXT records. */
public final class Zones {
    private final Route53Client route53;
    /** The account's public zones, read on first use; a container lives minutes, zones change rarely. */
    private List<Zone> publicZones;

    public Zones(Route53Client route53) {
        this.route53 = route53;
    }

    /** A public hosted zone: its id (without {@code /hostedzone/}) and name (no trailing dot). */
    public record Zone(String id, String name) {
    }

    /**
     * The public hosted zone a domain lives in: the one with the longest name that is the domain or a parent. The
     * account's zones are listed once (100 a request) and matched here, however many domains are synced.
     */
    public Optional<Zone> zoneFor(DomainName domain) {
        if (publicZones == null) {
            publicZones = listPublicZones();
        }
        Optional<Zone> found = longestMatch(domain);
        if (found.isEmpty()) {
            publicZones = listPublicZones(); // a zone created since the last listing
            found = longestMatch(domain);
        }
        return found;
    }

    private List<Zone> listPublicZones() {
        List<Zone> all = new ArrayList<>();
        for (HostedZone z : route53.listHostedZonesPaginator(r -> { }).hostedZones()) {
            boolean isPrivate = z.config() != null && Boolean.TRUE.equals(z.config().privateZone());
            if (!isPrivate) {
                all.add(new Zone(z.id().replace("/hostedzone/", ""), trimDot(z.name()).toLowerCase(Locale.ROOT)));
            }
        }
        return all;
    }

    private Optional<Zone> longestMatch(DomainName domain) {
        Zone best = null;
        for (Zone z : publicZones) {
            boolean holds = domain.value().equals(z.name()) || domain.value().endsWith("." + z.name());
            if (holds && (best == null || z.name().length() > best.name().length())) {
                best = z;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A zone given by id, named as Route53 names it. */
    public Zone zone(String id) {
        HostedZone z = route53.getHostedZone(r -> r.id(id)).hostedZone();
        return new Zone(z.id().replace("/hostedzone/", ""), trimDot(z.name()));
    }

    /** The TXT records of a set, each as its list of strings (quotes removed, escapes resolved). */
    public static List<List<String>> txt(Optional<ResourceRecordSet> set) {
        List<List<String>> records = new ArrayList<>();
        set.ifPresent(s -> s.resourceRecords().forEach(rr -> records.add(unquote(rr.value()))));
        return records;
    }

    /** Route53 takes at most 1,000 changes a request; fewer keeps each request well under its size limit. */
    static final int MAX_CHANGES_PER_REQUEST = 500;

    /** Applies changes to one zone, in as few requests as Route53 allows (each request is atomic). */
    public void change(Zone zone, List<Change> changes, String comment) {
        for (int i = 0; i < changes.size(); i += MAX_CHANGES_PER_REQUEST) {
            List<Change> part = changes.subList(i, Math.min(changes.size(), i + MAX_CHANGES_PER_REQUEST));
            route53.changeResourceRecordSets(r -> r.hostedZoneId(zone.id())
                    .changeBatch(b -> b.comment(comment).changes(part)));
        }
    }

    /** Where MX and TXT record sets are read from: targeted look-ups, or one read of the whole zone. */
    public interface Records {
        Optional<ResourceRecordSet> find(String name, RRType type);

        default List<String> mxHosts(DomainName domain) {
            List<String> hosts = new ArrayList<>();
            find(domain.value(), RRType.MX).ifPresent(set -> set.resourceRecords().forEach(rr -> {
                String[] parts = rr.value().strip().split("\\s+");
                hosts.add(trimDot(parts[parts.length - 1]).toLowerCase(Locale.ROOT));
            }));
            return hosts;
        }
    }

    /** The names of a zone's record sets of one type (the whole zone is read). */
    public List<String> names(Zone zone, RRType type) {
        List<String> names = new ArrayList<>();
        for (ResourceRecordSet set : route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(zone.id()))
                .resourceRecordSets()) {
            if (set.type() == type) {
                names.add(trimDot(set.name()).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** One request per look-up: best for a few domains in a large zone. */
    public Records targeted(Zone zone) {
        return (name, type) -> recordSet(zone, name, type);
    }

    /** The whole zone in a few paginated requests (300 record sets each): best for many domains of one zone. */
    public Records snapshot(Zone zone) {
        Map<String, ResourceRecordSet> byKey = new HashMap<>();
        for (ResourceRecordSet set : route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(zone.id()))
                .resourceRecordSets()) {
            byKey.put(trimDot(set.name()).toLowerCase(Locale.ROOT) + " " + set.typeAsString(), set);
        }
        return (name, type) -> Optional.ofNullable(byKey.get(name.toLowerCase(Locale.ROOT) + " " + type));
    }

    private Optional<ResourceRecordSet> recordSet(Zone zone, String name, RRType type) {
        List<ResourceRecordSet> sets = route53.listResourceRecordSets(r -> r.hostedZoneId(zone.id())
                .startRecordName(name).startRecordType(type).maxItems("5")).resourceRecordSets();
        for (ResourceRecordSet set : sets) {
            if (trimDot(set.name()).equalsIgnoreCase(name) && set.type() == type) {
                return Optional.of(set);
            }
        }
        return Optional.empty();
    }

    /** {@code "v=STSv1; " "id=abc"} → [{@code v=STSv1; }, {@code id=abc}]. */
    static List<String> unquote(String value) {
        List<String> strings = new ArrayList<>();
        StringBuilder current = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (current == null) {
                if (c == '"') {
                    current = new StringBuilder();
                }
            } else if (c == '\\' && i + 1 < value.length()) {
                current.append(value.charAt(++i));
            } else if (c == '"') {
                strings.add(current.toString());
                current = null;
            } else {
                current.append(c);
            }
        }
        if (strings.isEmpty() && !value.isBlank()) {
            strings.add(value.strip());
        }
        return strings;
    }

    static String trimDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
