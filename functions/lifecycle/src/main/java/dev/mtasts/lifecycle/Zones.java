package dev.mtasts.lifecycle;

import dev.mtasts.core.DomainName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.route53.Route53Client;
import dev.mtasts.core.TxtRecord;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

/** The Route53 reads and writes the DNS side needs: find a domain's zone, its MX hosts, its TXT records. */
public final class Zones {
    private final Route53Client route53;
    /** The account's public zones, read on first use; a container lives minutes, zones change rarely. */
    private volatile List<Zone> publicZones;

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

    /** The public hosted zone of exactly this name (the delegation zone), listed again once when not found. */
    public Optional<Zone> named(String name) {
        for (int pass = 0; pass < 2; pass++) {
            if (publicZones == null || pass == 1) {
                publicZones = listPublicZones();
            }
            for (Zone z : publicZones) {
                if (z.name().equals(name)) {
                    return Optional.of(z);
                }
            }
        }
        return Optional.empty();
    }

    /** Forgets the listing: a zone was deleted (and perhaps made again under a new id) since it was read. */
    public void refresh() {
        publicZones = null;
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
        List<Zone> listed = publicZones;
        for (Zone z : listed == null ? List.<Zone>of() : listed) {
            boolean holds = domain.value().equals(z.name()) || domain.value().endsWith("." + z.name());
            if (holds && (best == null || z.name().length() > best.name().length())) {
                best = z;
            }
        }
        return Optional.ofNullable(best);
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

    /** Where MX and TXT record sets are read from. */
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

    /** The MX record set at a domain's own name (its MX hosts), if there is one: one request. */
    public Optional<ResourceRecordSet> mxSet(Zone zone, DomainName domain) {
        return recordSet(zone, domain.value(), RRType.MX);
    }

    /** The values of a record set, as Route53 holds them ({@code 10 mail.example.com.} for MX). */
    public static List<String> values(Optional<ResourceRecordSet> set) {
        return set.map(s -> s.resourceRecords().stream().map(ResourceRecord::value).toList()).orElse(List.of());
    }

    /** The whole MX record set at a name: {@code values} such as {@code 10 mx.example.net.}. */
    public static Change upsertMx(String name, List<String> values, long ttl) {
        return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(RRType.MX).ttl(ttl)
                .resourceRecords(values.stream().map(v -> ResourceRecord.builder().value(v).build()).toList())
                .build()).build();
    }

    /** One request per look-up: best for a few domains in a large zone. */
    public Records targeted(Zone zone) {
        return (name, type) -> recordSet(zone, name, type);
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

    /** Every record set at exactly this name (any type), in one request. */
    public List<ResourceRecordSet> setsAt(Zone zone, String name) {
        List<ResourceRecordSet> out = new ArrayList<>();
        for (ResourceRecordSet set : route53.listResourceRecordSets(r -> r.hostedZoneId(zone.id())
                .startRecordName(name).maxItems("20")).resourceRecordSets()) {
            if (trimDot(set.name()).equalsIgnoreCase(name)) {
                out.add(set);
            }
        }
        return out;
    }

    /** The set of this type among {@code sets}. */
    public static Optional<ResourceRecordSet> ofType(List<ResourceRecordSet> sets, RRType type) {
        return sets.stream().filter(s -> s.type() == type).findFirst();
    }

    /** The value of a TXT set holding exactly one record, its strings joined; null otherwise. */
    public static String onlyTxt(Optional<ResourceRecordSet> set) {
        List<List<String>> records = txt(set);
        return records.size() == 1 ? String.join("", records.get(0)) : null;
    }

    /** How a record set reads in a message: {@code TXT "v=STSv1; id=1"}, {@code A alias to d-1.execute-api…}. */
    public static String describe(ResourceRecordSet set) {
        String what = set.aliasTarget() != null ? "alias to " + trimDot(set.aliasTarget().dnsName())
                : String.join(", ", set.resourceRecords().stream().map(ResourceRecord::value).toList());
        return trimDot(set.name()) + " " + set.typeAsString() + " " + (what.length() > 120 ? what.substring(0, 117) + "..." : what);
    }

    public static Change upsertTxt(String name, String value, long ttl) {
        return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(RRType.TXT).ttl(ttl)
                .resourceRecords(ResourceRecord.builder().value(TxtRecord.quote(value)).build()).build()).build();
    }

    public static Change upsertCname(String name, String value, long ttl) {
        return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(RRType.CNAME).ttl(ttl)
                .resourceRecords(ResourceRecord.builder().value(value).build()).build()).build();
    }

    /** An alias record to a target given as {@code name zone} (an API Gateway regional name and its hosted zone). */
    public static Change upsertAlias(String name, RRType type, String target) {
        String[] t = target.split(" ", 2);
        return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(type)
                .aliasTarget(AliasTarget.builder().dnsName(t[0]).hostedZoneId(t[1]).evaluateTargetHealth(false).build())
                .build()).build();
    }

    public static Change delete(ResourceRecordSet set) {
        return Change.builder().action(ChangeAction.DELETE).resourceRecordSet(set).build();
    }

    /** Whether a set is an alias to this target ({@code name zone}). */
    public static boolean aliasTo(ResourceRecordSet set, String target) {
        if (set.aliasTarget() == null || target == null) {
            return false;
        }
        String[] t = target.split(" ", 2);
        return trimDot(set.aliasTarget().dnsName()).equalsIgnoreCase(trimDot(t[0]))
                && set.aliasTarget().hostedZoneId().equals(t[1]);
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
