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
import software.amazon.awssdk.services.route53.model.ListHostedZonesByNameResponse;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

/** The Route53 reads and writes the DNS side needs: find a domain's zone, its MX hosts, its TXT records. */
public final class Zones {
    private final Route53Client route53;
    private final Map<String, Zone> zoneCache = new HashMap<>();

    public Zones(Route53Client route53) {
        this.route53 = route53;
    }

    /** A public hosted zone: its id (without {@code /hostedzone/}) and name (no trailing dot). */
    public record Zone(String id, String name) {
    }

    /** The public hosted zone a domain lives in: the one with the longest name that is the domain or a parent. */
    public Optional<Zone> zoneFor(DomainName domain) {
        Zone cached = zoneCache.get(domain.value());
        if (cached != null) {
            return Optional.of(cached);
        }
        // zones are listed in order of reversed labels, so the domain's own zone (if any) comes first from it
        List<String> candidates = new ArrayList<>();
        String d = domain.value();
        while (d.contains(".")) {
            candidates.add(d);
            d = d.substring(d.indexOf('.') + 1);
        }
        for (String name : candidates) {
            ListHostedZonesByNameResponse page = route53.listHostedZonesByName(r -> r.dnsName(name).maxItems("5"));
            for (HostedZone z : page.hostedZones()) {
                String zoneName = trimDot(z.name());
                boolean isPrivate = z.config() != null && Boolean.TRUE.equals(z.config().privateZone());
                if (zoneName.equals(name) && !isPrivate) {
                    Zone zone = new Zone(z.id().replace("/hostedzone/", ""), zoneName);
                    zoneCache.put(domain.value(), zone);
                    return Optional.of(zone);
                }
            }
        }
        return Optional.empty();
    }

    /** A zone given by id, named as Route53 names it. */
    public Zone zone(String id) {
        HostedZone z = route53.getHostedZone(r -> r.id(id)).hostedZone();
        return new Zone(z.id().replace("/hostedzone/", ""), trimDot(z.name()));
    }

    /** The hosts of the domain's MX record set, lower case, without trailing dot. */
    public List<String> mxHosts(Zone zone, DomainName domain) {
        List<String> hosts = new ArrayList<>();
        for (String value : values(zone, domain.value(), RRType.MX)) {
            String[] parts = value.strip().split("\\s+");
            hosts.add(trimDot(parts[parts.length - 1]).toLowerCase(Locale.ROOT));
        }
        return hosts;
    }

    /** The TXT record set at a name, as Route53 holds it (a DELETE must repeat it exactly). */
    public Optional<ResourceRecordSet> txtSet(Zone zone, String name) {
        return recordSet(zone, name, RRType.TXT);
    }

    /** The TXT records of a set, each as its list of strings (quotes removed, escapes resolved). */
    public static List<List<String>> txt(Optional<ResourceRecordSet> set) {
        List<List<String>> records = new ArrayList<>();
        set.ifPresent(s -> s.resourceRecords().forEach(rr -> records.add(unquote(rr.value()))));
        return records;
    }

    /** Applies changes to one zone in one request: they take effect together or not at all. */
    public void change(Zone zone, List<Change> changes, String comment) {
        if (!changes.isEmpty()) {
            route53.changeResourceRecordSets(r -> r.hostedZoneId(zone.id())
                    .changeBatch(b -> b.comment(comment).changes(changes)));
        }
    }

    private List<String> values(Zone zone, String name, RRType type) {
        return recordSet(zone, name, type).map(s -> s.resourceRecords().stream().map(rr -> rr.value()).toList())
                .orElse(List.of());
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
