package dev.mtasts.lifecycle;

import dev.mtasts.core.Announcement;
import dev.mtasts.core.Delegation;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Lifecycle.Step;
import dev.mtasts.core.Policy;
import dev.mtasts.core.PolicyAnswer;
import dev.mtasts.core.StsRecord;
import dev.mtasts.core.TlsRptRecord;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.acm.model.CertificateStatus;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * What each step of the lifecycle ({@link Lifecycle.Step}) does. Every step first looks at what exists and only
 * then creates what is missing, so running it twice changes nothing the second time. Nothing of the user's is
 * overwritten or deleted: a record is the stack's only when its value is exactly what the stack wrote there (as its
 * state says), a custom domain only when it is mapped to the stack's API or carries the stack's tag, a certificate
 * only when it carries the stack's tag and is for the policy host alone. Anything else at one of the policy host's
 * names blocks the domain, unless the row says {@code take_over}, and is left in place by a removal.
 */
final class Steps {
    /** How often a blocked domain is looked at again: the user may have fixed the cause meanwhile. */
    static final Duration LOOK_AGAIN = Duration.ofMinutes(15);
    /** A certificate ACM failed to issue is replaced only when asked ({@code mta-sts provision}): not every 15 minutes. */
    static final Duration LOOK_AGAIN_CERTIFICATE = Duration.ofDays(1);
    /** How long the policy host may fail the live check before the domain is called blocked. */
    static final Duration LIVE_PATIENCE = Duration.ofHours(1);
    /** How long ACM may take to validate before the detail points at the domain's delegation. */
    static final Duration VALIDATION_PATIENCE = Duration.ofHours(2);

    /** The lifecycle's fixed settings: extra report mailboxes (after the stack's HTTPS endpoint), TTL of TXT records. */
    record Settings(List<String> mailboxes, long txtTtl) {
    }

    private final DomainStore store;
    private final Zones zones;
    private final Certificates certificates;
    private final CustomDomains customDomains;
    private final PolicyFetch fetch;
    private final Function<DomainName, PolicyFetch.Target> policyHost;
    private final Emf emf;
    private final Clock clock;
    private final Settings settings;
    private final MxWatch watch;
    /** The delegation zone's name, or null: delegation is off ({@code DelegationZone} left empty). */
    private final String delegationZone;
    /** Public DNS, for delegated domains: their CNAMEs and MX records; null when delegation is off. */
    private final PublicCnames publicDns;

    Steps(DomainStore store, Zones zones, Certificates certificates, CustomDomains customDomains, PolicyFetch fetch,
            Function<DomainName, PolicyFetch.Target> policyHost, Emf emf, Clock clock, Settings settings) {
        this(store, zones, certificates, customDomains, fetch, policyHost, emf, clock, settings,
                new MxWatch(store, zones, null, false, clock), null, null);
    }

    private Steps(DomainStore store, Zones zones, Certificates certificates, CustomDomains customDomains,
            PolicyFetch fetch, Function<DomainName, PolicyFetch.Target> policyHost, Emf emf, Clock clock,
            Settings settings, MxWatch watch, String delegationZone, PublicCnames publicDns) {
        this.store = store;
        this.zones = zones;
        this.certificates = certificates;
        this.customDomains = customDomains;
        this.fetch = fetch;
        this.policyHost = policyHost;
        this.emf = emf;
        this.clock = clock;
        this.settings = settings;
        this.watch = watch;
        this.delegationZone = delegationZone;
        this.publicDns = publicDns;
    }

    /** The same steps, with MX moves alerting to {@code alert} (null: none) and switching MX records if allowed. */
    Steps withMxMoves(java.util.function.BiConsumer<String, String> alert, boolean mayWriteMx) {
        return new Steps(store, zones, certificates, customDomains, fetch, policyHost, emf, clock, settings,
                new MxWatch(store, zones, alert, mayWriteMx, clock), delegationZone, publicDns);
    }

    /**
     * The same steps, with domains whose DNS is elsewhere ({@code dns: delegated}) kept under {@code zone} (the
     * name of a public hosted zone of the account) and their CNAMEs and MX records read from {@code dns}.
     */
    Steps withDelegation(String zone, dev.mtasts.sender.Dns dns) {
        return new Steps(store, zones, certificates, customDomains, fetch, policyHost, emf, clock, settings, watch,
                zone == null || zone.isBlank() ? null : Zones.trimDot(zone.strip()).toLowerCase(java.util.Locale.ROOT),
                new PublicCnames(dns));
    }

    /** Whether a ready domain's MX records are to be read now (a move under way, a seeded policy following them). */
    boolean mxDue(DomainRowView row, Lifecycle lc, Instant now) {
        return !lc.delegated() && watch.due(row, lc, now); // a delegated domain's MX records are not in Route53
    }

    Outcome run(Step step, DomainRowView row, Lifecycle lc) {
        return switch (step) {
            case ZONE -> zone(row, lc);
            case CONFLICTS -> conflicts(row, lc);
            case SEED -> seed(row, lc);
            case CERTIFICATE -> certificate(row, lc);
            case DELEGATION -> delegation(row, lc);
            case CUSTOM_DOMAIN -> customDomain(row, lc);
            case ALIAS -> alias(row, lc);
            case DECIDE -> decide(row, lc);
            case LIVE_CHECK -> liveCheck(row, lc);
            case REPORTING -> reporting(row, lc);
            case ANNOUNCE -> announce(row, lc);
            case READY -> new Outcome.Done(lc, ready(lc));
            case MX -> watch.look(row, lc, zone(lc));
            case WITHDRAW_ANNOUNCEMENT -> withdrawAnnouncement(row, lc);
            case WITHDRAW_REPORTING -> withdrawReporting(row, lc);
            case WITHDRAW_ALIAS -> withdrawAlias(row, lc);
            case DELETE_CUSTOM_DOMAIN -> deleteCustomDomain(row, lc);
            case DELETE_CERTIFICATE -> deleteCertificate(row, lc);
            case DELETE_ROW -> deleteRow(row, lc);
            case LOCAL -> new Outcome.Jump(lc, Step.ZONE, Step.ZONE.doing());
        };
    }

    static String ready(Lifecycle lc) {
        return "served on its own certificate and announced" + (lc.announced() == null ? "" : " (id " + lc.announced().id() + ")");
    }

    // --- provisioning --------------------------------------------------------------------------------------------

    private Outcome zone(DomainRowView row, Lifecycle lc) {
        if (DomainRow.delegated(row.item())) {
            return delegationZone(row, lc);
        }
        lc = lc.withDelegation(null);
        Optional<Zones.Zone> zone = zones.zoneFor(row.domain());
        if (zone.isEmpty()) {
            return blocked(lc, "no public Route53 hosted zone of this account holds " + row.domain() + ": create one "
                    + "(and delegate the domain to it at its registrar); the stack carries on by itself");
        }
        Lifecycle found = lc.withZone(zone.get().id(), zone.get().name());
        if (lc.zoneId() != null && !lc.zoneId().equals(zone.get().id())) {
            found = found.withCertificate(lc.certificateArn(), null); // the validation record went with the old zone
        }
        return new Outcome.Done(found, "zone " + zone.get().name());
    }

    /** A delegated domain lives under the stack's delegation zone, whatever zones the account has. */
    private Outcome delegationZone(DomainRowView row, Lifecycle lc) {
        if (delegationZone == null || publicDns == null) {
            return blocked(lc, "the row says dns: delegated, but this stack has no delegation zone: deploy it with the "
                    + "parameter DelegationZone (a public hosted zone of this account the stack may write under; mta-sts "
                    + "provision takes it as --delegation-zone), or, "
                    + "if " + row.domain() + "'s zone is in this account's Route53, add it again without --delegated");
        }
        Optional<Zones.Zone> zone = zones.named(delegationZone);
        if (zone.isEmpty()) {
            return blocked(lc, "the delegation zone " + delegationZone + " is not a public hosted zone of this account: "
                    + "create it (and delegate it from its parent), or deploy with the DelegationZone you have");
        }
        Lifecycle found = lc.withZone(zone.get().id(), zone.get().name()).withDelegation(zone.get().name());
        return new Outcome.Done(found, "delegation zone " + zone.get().name() + ": " + row.domain()
                + "'s DNS host publishes CNAMEs to it");
    }

    /** How often a delegated domain's missing CNAMEs are looked for in its first hour: users publish them then. */
    static final Duration DELEGATION_LOOK = Duration.ofMinutes(5);

    /**
     * RFC 8461 §8.2: a delegated domain's CNAMEs in public DNS, then its certificate validated through the last of
     * them. Blocked, naming exactly the records missing or wrong, until public DNS answers all four.
     */
    private Outcome delegation(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        if (!lc.delegated()) {
            return new Outcome.Done(lc, "the domain's zone is in Route53");
        }
        if (lc.validation() == null) {
            return new Outcome.Jump(lc, Step.CERTIFICATE, "the certificate's validation record is not known yet");
        }
        List<PublicCnames.Missing> missing;
        try {
            missing = publicDns.missing(delegationOf(row, lc).cnames(lc.validation()));
        } catch (dev.mtasts.sender.Dns.Failure e) {
            return new Outcome.Wait(lc, "public DNS did not answer: " + e.getMessage(), Duration.ofMinutes(1));
        }
        if (!missing.isEmpty()) {
            boolean firstHour = lc.since() == null || !lc.since().plus(Duration.ofHours(1)).isBefore(clock.instant());
            return new Outcome.Blocked(lc, "publish at " + d + "'s DNS host, once, " + (missing.size() == 1
                    ? "this record: " : "these " + missing.size() + " records: ") + PublicCnames.describe(missing)
                    + ". The stack looks again every " + (firstHour ? DELEGATION_LOOK.toMinutes() : LOOK_AGAIN.toMinutes())
                    + " minutes (mta-sts records " + d + " prints them all)", firstHour ? DELEGATION_LOOK : LOOK_AGAIN);
        }
        Optional<Certificates.Certificate> cert = certificates.find(d, lc.certificateArn());
        if (cert.isEmpty()) {
            return new Outcome.Jump(lc.withCertificate(null, null), Step.CERTIFICATE, "the certificate is gone: requesting one");
        }
        CertificateStatus status = cert.get().status();
        if (status == CertificateStatus.ISSUED) {
            return new Outcome.Done(lc, "public DNS answers the four CNAMEs; certificate issued");
        }
        if (status == CertificateStatus.PENDING_VALIDATION) {
            return new Outcome.Wait(lc, "public DNS answers the four CNAMEs; waiting for ACM to validate "
                    + d.policyHost() + " through " + cert.get().validationName(), Duration.ofSeconds(20));
        }
        return new Outcome.Blocked(lc, "ACM did not issue the certificate of " + d.policyHost() + " (" + status
                + (cert.get().failure() == null ? "" : ", " + cert.get().failure()) + "): run mta-sts provision --domain "
                + d + " to request a new one, then publish its validation CNAME (mta-sts records " + d + ")",
                LOOK_AGAIN_CERTIFICATE);
    }

    /** Where a domain's records live: under the delegation zone for a delegated domain, else at its own names. */
    private static Delegation delegationOf(DomainRowView row, Lifecycle lc) {
        return new Delegation(row.domain(), lc.delegation());
    }

    /** The name of the policy host's A and AAAA records in the zone the stack writes. */
    private static String hostRecords(DomainRowView row, Lifecycle lc) {
        return lc.delegated() ? delegationOf(row, lc).policyHostTarget() : row.domain().policyHost();
    }

    /** The name of the {@code _mta-sts} TXT in the zone the stack writes. */
    private static String stsRecord(DomainRowView row, Lifecycle lc) {
        return lc.delegated() ? delegationOf(row, lc).stsTarget() : row.domain().stsRecordName();
    }

    /** The name of the {@code _smtp._tls} TXT in the zone the stack writes. */
    private static String tlsRptRecord(DomainRowView row, Lifecycle lc) {
        return lc.delegated() ? delegationOf(row, lc).tlsRptTarget() : row.domain().tlsRptRecordName();
    }

    /** The domain's MX hosts: from its zone, or, for a delegated domain, as public DNS answers them. */
    private List<String> mxHosts(DomainRowView row, Lifecycle lc) throws dev.mtasts.sender.Dns.Failure {
        return lc.delegated() ? publicDns.mxHosts(row.domain()) : zones.targeted(zone(lc)).mxHosts(row.domain());
    }

    /**
     * Route53 no longer knows the zone the state names (deleted, perhaps made again under a new id): look the
     * domain's zone up again. While provisioning, everything is checked again from the zone step on, the records made
     * again in the zone found; while removing, the removal goes on in the zone found (or there is nothing left to
     * remove).
     */
    Outcome zoneGone(Step step, DomainRowView row, Lifecycle lc) {
        zones.refresh();
        String gone = "hosted zone " + lc.zoneName() + " (" + lc.zoneId() + ") no longer exists";
        if (step.removing()) {
            Optional<Zones.Zone> zone = zones.zoneFor(row.domain());
            return new Outcome.Wait(lc.withZone(zone.map(Zones.Zone::id).orElse(null), zone.map(Zones.Zone::name).orElse(null)),
                    gone + "; " + zone.map(z -> "going on in zone " + z.name() + " (" + z.id() + ")")
                            .orElse("no zone holds the domain now: nothing is left there to remove"), Duration.ZERO);
        }
        return new Outcome.Jump(lc.withZone(null, null).withCertificate(lc.certificateArn(), null), Step.ZONE,
                gone + ": looking for the domain's zone again");
    }

    /**
     * What the stack takes over from a row's lifecycle of an earlier version. Anyone who can write the domains table can
     * write such a lifecycle, naming another host's records as the stack's, so it is believed only as far as it can be
     * checked: the lifecycle starts again from its first step (which finds the zone, and the stack's certificate,
     * custom domain and records by their tags and exact values), carrying over only the announcement, when it is a
     * valid policy with its own id and {@code _mta-sts} says exactly that id now. So the policy senders were told of
     * stays served while the stack looks again, and nothing of another host's becomes the stack's.
     */
    Lifecycle takeOver(DomainName domain, Lifecycle legacy) {
        Optional<Zones.Zone> zone = zones.zoneFor(domain);
        Lifecycle fresh = Lifecycle.start(clock.instant());
        if (zone.isEmpty()) {
            return fresh;
        }
        fresh = fresh.withZone(zone.get().id(), zone.get().name()); // looked up, not read off the row
        Lifecycle announced = Lifecycle.ofEarlierVersion(legacy, clock.instant());
        String current = Zones.onlyTxt(Zones.ofType(zones.setsAt(zone.get(), domain.stsRecordName()), RRType.TXT));
        return announced != null && new StsRecord(announced.announced().id()).render().equals(current)
                ? fresh.withAnnounced(announced.announced()).withAccepted(announced.announced().id()) : fresh;
    }

    /** Before anything is created: is any of the policy host's names in use by another host? */
    private Outcome conflicts(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        List<String> found = new ArrayList<>();
        Optional<CustomDomains.CustomDomain> custom = customDomains.find(d);
        if (custom.isPresent() && !ourCustomDomain(custom.get(), lc)) {
            return blocked(lc, foreignCustomDomain(custom.get()));
        }
        String target = custom.map(CustomDomains.CustomDomain::target).orElse(lc.target());
        for (ResourceRecordSet set : zones.setsAt(zone(lc), hostRecords(row, lc))) {
            boolean ours = (set.type() == RRType.A || set.type() == RRType.AAAA) && Zones.aliasTo(set, target);
            if (!ours && (set.type() == RRType.A || set.type() == RRType.AAAA || set.type() == RRType.CNAME)) {
                found.add(Zones.describe(set));
            }
        }
        foreignAnnouncement(zones.setsAt(zone(lc), stsRecord(row, lc)), lc).ifPresent(found::add);
        foreignReporting(zones.setsAt(zone(lc), tlsRptRecord(row, lc)), row, lc).ifPresent(found::add);
        if (!found.isEmpty() && !row.takeOver()) {
            return blocked(lc, "records of another host are in the way: " + String.join("; ", found)
                    + ". Delete them, or let the stack replace them: mta-sts domain add " + d + " --take-over");
        }
        return new Outcome.Done(lc, found.isEmpty() ? "no conflicting records"
                : "will replace (take-over): " + String.join("; ", found));
    }

    private Outcome seed(DomainRowView row, Lifecycle lc) {
        if (row.policy() != null) {
            return new Outcome.Done(lc, "policy " + row.policy().mode() + ", id " + row.policy().id());
        }
        if (!row.unseeded()) {
            return blocked(lc, "the row is not a valid policy, so it is neither served nor announced: " + row.problem()
                    + ". Fix it: mta-sts domain put " + row.domain() + " --mode testing --mx <your MX host>");
        }
        List<String> mx;
        try {
            mx = mxHosts(row, lc);
        } catch (dev.mtasts.sender.Dns.Failure e) {
            return new Outcome.Wait(lc, "public DNS did not answer: " + e.getMessage(), Duration.ofMinutes(1));
        }
        if (mx.isEmpty()) {
            return blocked(lc, "the row holds no policy and " + (lc.delegated() ? "public DNS" : "zone " + lc.zoneName())
                    + " has no MX record for " + row.domain() + " to seed one from: add the MX records, or give the policy: mta-sts domain put "
                    + row.domain() + " --mode testing --mx <your MX host>");
        }
        Policy seedPolicy;
        try {
            seedPolicy = Policy.of("testing", mx, Long.toString(DomainLifecycle.SEED_MAX_AGE));
        } catch (InvalidException e) {
            return blocked(lc, "the zone's MX hosts " + mx + " are not valid mx patterns: " + e.getMessage());
        }
        boolean seeded = store.seed(new DomainRow(row.domain(), seedPolicy)); // false: the user wrote one, which wins
        // a seeded policy follows the zone's MX records; a delegated domain's are not in a zone the stack reads
        return new Outcome.Jump(seeded && !lc.delegated() ? lc.withSeeded(new Lifecycle.Seeded(seedPolicy.id(),
                clock.instant(), null, List.of())) : lc, Step.SEED, "seeded a testing policy from MX " + String.join(", ", mx));
    }

    private Outcome certificate(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        Optional<Certificates.Certificate> found = certificates.find(d, lc.certificateArn());
        Certificates.Certificate cert = found.orElseGet(() -> certificates.describe(certificates.request(d))
                .orElseThrow(() -> new IllegalStateException("ACM does not know the certificate it just issued")));
        Lifecycle next = lc.withCertificate(cert.arn(), lc.validation());
        if (cert.validationName() == null) {
            return new Outcome.Wait(next, "requested certificate " + cert.arn() + "; waiting for ACM to name its "
                    + "validation record", Duration.ofSeconds(5));
        }
        String validation = cert.validationName() + " " + cert.validationValue();
        if (lc.delegated()) {
            // the validation record is the fourth CNAME the user publishes: the delegation step waits for all four
            return new Outcome.Jump(next.withCertificate(cert.arn(), validation), Step.DELEGATION, "requested "
                    + "certificate " + cert.arn() + "; its validation record is " + validation);
        }
        if (!validation.equals(lc.validation())) {
            zones.change(zone(lc), List.of(Zones.upsertCname(cert.validationName(), cert.validationValue(), 300)),
                    "mta-sts-serverless: ACM validation of " + d.policyHost());
            next = next.withCertificate(cert.arn(), validation);
        }
        CertificateStatus status = cert.status();
        if (status == CertificateStatus.ISSUED) {
            return new Outcome.Done(next, "certificate issued");
        }
        if (status == CertificateStatus.PENDING_VALIDATION) {
            boolean long_ = lc.since() != null && lc.since().plus(VALIDATION_PATIENCE).isBefore(clock.instant());
            return new Outcome.Wait(next, "waiting for ACM to validate " + d.policyHost() + " through the CNAME "
                    + cert.validationName() + " in zone " + lc.zoneName() + (long_ ? "; it has taken over "
                    + VALIDATION_PATIENCE.toHours() + " hours: check that the domain's NS records at its registrar "
                    + "name this zone's name servers" : ""), Duration.ofSeconds(20));
        }
        return new Outcome.Blocked(next, "ACM did not issue the certificate of " + d.policyHost() + " (" + status
                + (cert.failure() == null ? "" : ", " + cert.failure()) + "): check that the domain is delegated to zone "
                + lc.zoneName() + ", then run mta-sts provision --domain " + d + " to request a new one",
                LOOK_AGAIN_CERTIFICATE);
    }

    private Outcome customDomain(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        Optional<CustomDomains.CustomDomain> found = customDomains.find(d);
        if (found.isPresent() && !ourCustomDomain(found.get(), lc)) {
            return blocked(lc, foreignCustomDomain(found.get()));
        }
        if (found.isEmpty()) {
            try {
                customDomains.create(d, lc.certificateArn());
            } catch (software.amazon.awssdk.services.apigatewayv2.model.ConflictException raced) {
                // created meanwhile (a lost reply): look at it below
            }
            found = customDomains.find(d);
        }
        CustomDomains.CustomDomain custom = found.orElseThrow(() -> new IllegalStateException(
                "API Gateway does not know the custom domain it just created"));
        if (!custom.mappedHere(customDomains.apiId())) {
            customDomains.map(custom);
        }
        if (custom.target() == null) {
            return new Outcome.Wait(lc, "waiting for API Gateway to give " + d.policyHost() + " its regional name",
                    Duration.ofSeconds(10));
        }
        return new Outcome.Done(lc.withTarget(custom.target()).withApi(customDomains.apiId()), "custom domain "
                + d.policyHost() + " on "
                + custom.target().split(" ")[0]);
    }

    private Outcome alias(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        String host = hostRecords(row, lc);
        List<ResourceRecordSet> sets = zones.setsAt(zone(lc), host);
        List<Change> changes = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (RRType type : List.of(RRType.A, RRType.AAAA)) {
            Optional<ResourceRecordSet> set = Zones.ofType(sets, type);
            if (set.isPresent() && Zones.aliasTo(set.get(), lc.target())) {
                continue;
            }
            set.ifPresent(s -> foreign.add(Zones.describe(s)));
            changes.add(Zones.upsertAlias(host, type, lc.target()));
        }
        Optional<ResourceRecordSet> cname = Zones.ofType(sets, RRType.CNAME);
        cname.ifPresent(s -> {
            foreign.add(Zones.describe(s));
            changes.add(0, Zones.delete(s)); // a CNAME cannot stand beside the A and AAAA records
        });
        if (!foreign.isEmpty() && !row.takeOver()) {
            return blocked(lc, "records of another host are at " + host + ": " + String.join("; ", foreign)
                    + ". Delete them, or let the stack replace them: mta-sts domain add " + d + " --take-over");
        }
        if (!changes.isEmpty()) {
            zones.change(zone(lc), changes, "mta-sts-serverless: policy host " + d.policyHost());
        }
        return new Outcome.Done(lc, host + " A and AAAA point at the custom domain");
    }

    /** The options of a {@code domain put} that keeps the policy and adds the MX hosts it misses. */
    static String putCovering(dev.mtasts.core.Policy policy, List<String> mxHosts) {
        StringBuilder b = new StringBuilder("--mode " + policy.mode().text());
        policy.mx().forEach(p -> b.append(" --mx '").append(p).append("'"));
        policy.uncovered(mxHosts).forEach(h -> b.append(" --mx ").append(h));
        return b.append(" --max-age ").append(policy.maxAge()).toString();
    }

    /** RFC 8461 §4.1, §5: an enforce policy that misses a live MX host is never announced. */
    private Outcome decide(DomainRowView row, Lifecycle lc) {
        if (row.policy() == null) {
            return new Outcome.Jump(lc, Step.SEED, "the row has no valid policy");
        }
        List<String> mx;
        try {
            mx = mxHosts(row, lc); // a delegated domain's as public DNS answers them: what senders act on
        } catch (dev.mtasts.sender.Dns.Failure e) {
            return new Outcome.Wait(lc, "public DNS did not answer for the MX records: " + e.getMessage(), Duration.ofMinutes(1));
        }
        Announcement decision = Announcement.decide(Optional.of(row.item()), mx);
        String id = row.policy().id();
        if (decision instanceof Announcement.Refuse r) {
            boolean first = lc.refused() == null || !id.equals(lc.refused().id());
            if (first) {
                emf.put(List.of(List.of("Domain"), List.of()), Map.of("Domain", row.domain().value()),
                        Map.of("AnnouncementsRefused", 1L), Map.of("Reason", r.reason()));
            }
            String still = lc.announced() == null ? "nothing is announced"
                    : "senders keep the announced policy (id " + lc.announced().id() + ")";
            return blocked(lc.withRefused(new Lifecycle.Refusal(id, r.reason())), "not announced: " + r.reason()
                    + "; " + still + ". " + (mx.isEmpty() ? "Add the MX records to the zone, or use mode testing"
                    : "Cover every MX host: mta-sts domain put " + row.domain() + " " + putCovering(row.policy(), mx)
                    + ", or use mode testing"));
        }
        Announcement.Publish p = (Announcement.Publish) decision;
        String warning = p.uncovered().isEmpty() ? ""
                : "; note: the testing policy does not cover MX " + String.join(", ", p.uncovered());
        return new Outcome.Done(lc.withAccepted(id), "the policy (id " + id + ") covers the zone's MX hosts" + warning);
    }

    /** RFC 8461 §8.1: the body must be what the host serves before its id is published. */
    private Outcome liveCheck(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        Policy policy = row.policy();
        if (policy == null || !policy.id().equals(lc.accepted())) {
            return new Outcome.Jump(lc, Step.DECIDE, "the policy changed");
        }
        PolicyFetch.Target target = policyHost.apply(d);
        String problem;
        try {
            PolicyFetch.Result result = fetch.fetch(target);
            PolicyAnswer answer = result.answer();
            List<String> problems = answer.problems();
            if (problems.isEmpty() && answer.text().equals(policy.render())) {
                return new Outcome.Done(lc.withLive(policy.id()), target.url() + " serves the policy (id "
                        + policy.id() + ") in " + result.timings().total() + " ms");
            }
            problem = !problems.isEmpty() ? problems.get(0)
                    : "it serves another body than the row's (" + answer.body().length + " bytes, expected "
                    + policy.render().length() + ")";
        } catch (PolicyFetch.Failure e) {
            problem = e.getMessage();
        }
        String detail = target.url() + " does not serve the policy yet: " + problem;
        if (lc.since() != null && lc.since().plus(LIVE_PATIENCE).isBefore(clock.instant())) {
            return blocked(lc, detail + ". It has not for an hour: check that " + d.policyHost() + " resolves to the "
                    + "custom domain (its A/AAAA records in zone " + lc.zoneName() + ", the domain's delegation)");
        }
        return new Outcome.Wait(lc, detail, Duration.ofSeconds(15));
    }

    /** RFC 8460 §3: this stack's HTTPS endpoint first (some senders use only the first), then the mailboxes. */
    private Outcome reporting(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        String value = tlsRpt(d);
        String name = tlsRptRecord(row, lc);
        List<ResourceRecordSet> sets = zones.setsAt(zone(lc), name);
        Optional<ResourceRecordSet> txt = Zones.ofType(sets, RRType.TXT);
        String current = Zones.onlyTxt(txt);
        if (value.equals(current) && sets.size() == 1) {
            return new Outcome.Done(lc.withReporting(value), name + " already says " + value);
        }
        Optional<String> foreign = foreignReporting(sets, row, lc);
        if (foreign.isPresent() && !row.takeOver()) {
            return blocked(lc, "another host's record is in the way: " + foreign.get() + ". Delete it, or let the "
                    + "stack replace it: mta-sts domain add " + d + " --take-over");
        }
        List<Change> changes = new ArrayList<>();
        Zones.ofType(sets, RRType.CNAME).ifPresent(s -> changes.add(Zones.delete(s)));
        changes.add(Zones.upsertTxt(name, value, settings.txtTtl()));
        zones.change(zone(lc), changes, "mta-sts-serverless: TLS reports of " + d);
        return new Outcome.Done(lc.withReporting(value), "published " + name + " \"" + value + "\"");
    }

    /** RFC 8461 §3.1: exactly one {@code v=STSv1} record, whose id is the policy's. */
    private Outcome announce(DomainRowView row, Lifecycle lc) {
        DomainName d = row.domain();
        Policy policy = row.policy();
        if (policy == null || !policy.id().equals(lc.accepted()) || !policy.id().equals(lc.live())) {
            return new Outcome.Jump(lc, Step.DECIDE, "the policy changed before it was announced");
        }
        String value = StsRecord.of(policy).render();
        String name = stsRecord(row, lc);
        if (lc.delegated()) {
            // senders read _mta-sts at the domain's own DNS host: only the stack's CNAME there leads them to this id
            List<PublicCnames.Missing> off;
            try {
                off = publicDns.missing(List.of(delegationOf(row, lc).cnames(null).get(1)));
            } catch (dev.mtasts.sender.Dns.Failure e) {
                return new Outcome.Wait(lc, "public DNS did not answer: " + e.getMessage(), Duration.ofMinutes(1));
            }
            if (!off.isEmpty()) {
                return new Outcome.Blocked(lc, "not announced: " + d.stsRecordName() + " in public DNS is not the "
                        + "stack's CNAME: publish " + PublicCnames.describe(off) + " in its place at " + d
                        + "'s DNS host", DELEGATION_LOOK);
            }
        }
        List<ResourceRecordSet> sets = zones.setsAt(zone(lc), name);
        String current = Zones.onlyTxt(Zones.ofType(sets, RRType.TXT));
        Lifecycle.Announced announced = lc.announced() != null && lc.announced().id().equals(policy.id())
                ? lc.announced() // announced already (a run that stopped before going on): keep when
                : Lifecycle.Announced.replacing(lc.announced(), policy.id(), policy.render(), clock.instant(),
                        settings.txtTtl());
        if (value.equals(current) && sets.size() == 1) {
            return new Outcome.Done(lc.withAnnounced(announced), name + " already says " + value);
        }
        Optional<String> foreign = foreignAnnouncement(sets, lc);
        if (foreign.isPresent() && !row.takeOver()) {
            return blocked(lc, "another host's record is in the way: " + foreign.get() + ". Delete it, or let the "
                    + "stack replace it: mta-sts domain add " + d + " --take-over");
        }
        List<Change> changes = new ArrayList<>();
        Zones.ofType(sets, RRType.CNAME).ifPresent(s -> changes.add(Zones.delete(s)));
        changes.add(Zones.upsertTxt(name, value, settings.txtTtl()));
        zones.change(zone(lc), changes, "mta-sts-serverless: _mta-sts follows the policy of " + d);
        emf.put(List.of(List.of()), Map.of(), Map.of("RecordChanges", 1L), Map.of());
        return new Outcome.Done(lc.withAnnounced(announced), "published " + name + " \"" + value + "\"");
    }

    // --- removal, in reverse ---------------------------------------------------------------------------------------

    private Outcome withdrawAnnouncement(DomainRowView row, Lifecycle lc) {
        if (lc.zoneId() == null) {
            return new Outcome.Done(lc, "no zone: nothing was published");
        }
        String name = stsRecord(row, lc);
        Optional<ResourceRecordSet> txt = Zones.ofType(zones.setsAt(zone(lc), name), RRType.TXT);
        String current = Zones.onlyTxt(txt);
        if (txt.isPresent() && current != null && ownAnnouncement(current, lc)) {
            zones.change(zone(lc), List.of(Zones.delete(txt.get())), "mta-sts-serverless: " + row.domain() + " removed");
            return new Outcome.Done(lc.withAnnounced(null), "removed " + name);
        }
        return new Outcome.Done(lc.withAnnounced(null), txt.isEmpty() ? name + " was not there"
                : "left " + Zones.describe(txt.get()) + " (not the stack's)");
    }

    private Outcome withdrawReporting(DomainRowView row, Lifecycle lc) {
        if (lc.zoneId() == null) {
            return new Outcome.Done(lc, "no zone: nothing was published");
        }
        String name = tlsRptRecord(row, lc);
        Optional<ResourceRecordSet> txt = Zones.ofType(zones.setsAt(zone(lc), name), RRType.TXT);
        String current = Zones.onlyTxt(txt);
        if (txt.isPresent() && current != null && (current.equals(lc.reporting()) || current.equals(tlsRpt(row.domain())))) {
            zones.change(zone(lc), List.of(Zones.delete(txt.get())), "mta-sts-serverless: " + row.domain() + " removed");
            return new Outcome.Done(lc.withReporting(null), "removed " + name);
        }
        return new Outcome.Done(lc.withReporting(null), txt.isEmpty() ? name + " was not there"
                : "left " + Zones.describe(txt.get()) + " (not the stack's)");
    }

    private Outcome withdrawAlias(DomainRowView row, Lifecycle lc) {
        if (lc.zoneId() == null) {
            return new Outcome.Done(lc, "no zone: nothing was published");
        }
        String target = lc.target() != null ? lc.target() : customDomains.find(row.domain())
                .filter(c -> ourCustomDomain(c, lc)).map(CustomDomains.CustomDomain::target).orElse(null);
        List<Change> changes = new ArrayList<>();
        for (ResourceRecordSet set : zones.setsAt(zone(lc), hostRecords(row, lc))) {
            if ((set.type() == RRType.A || set.type() == RRType.AAAA) && Zones.aliasTo(set, target)) {
                changes.add(Zones.delete(set));
            }
        }
        if (!changes.isEmpty()) {
            zones.change(zone(lc), changes, "mta-sts-serverless: " + row.domain() + " removed");
        }
        return new Outcome.Done(lc, changes.isEmpty() ? "no alias records" : "removed " + hostRecords(row, lc) + " A and AAAA");
    }

    private Outcome deleteCustomDomain(DomainRowView row, Lifecycle lc) {
        Optional<CustomDomains.CustomDomain> found = customDomains.find(row.domain());
        if (found.isEmpty()) {
            return new Outcome.Done(lc.withTarget(null), "no custom domain");
        }
        if (!ourCustomDomain(found.get(), lc)) {
            return new Outcome.Done(lc.withTarget(null), "left the custom domain " + row.domain().policyHost()
                    + " (it is not this stack's)");
        }
        if (!customDomains.stack().equals(found.get().stack())) {
            // made before the stack tagged its custom domains: the role may delete only tagged ones
            return blocked(lc, "the custom domain " + row.domain().policyHost() + " was made by an earlier version of "
                    + "the stack, without the tag " + Certificates.TAG + " that lets the stack delete it: delete it "
                    + "(aws apigatewayv2 delete-domain-name --domain-name " + row.domain().policyHost() + "), or tag it "
                    + "(aws apigatewayv2 tag-resource --resource-arn <its ARN> --tags " + Certificates.TAG + "="
                    + customDomains.stack() + "); the removal carries on by itself");
        }
        customDomains.delete(row.domain());
        return new Outcome.Done(lc.withTarget(null), "deleted the custom domain " + row.domain().policyHost());
    }

    private Outcome deleteCertificate(DomainRowView row, Lifecycle lc) {
        Optional<Certificates.Certificate> cert = certificates.find(row.domain(), lc.certificateArn());
        String validation = lc.validation() != null ? lc.validation()
                : cert.filter(c -> c.validationName() != null).map(c -> c.validationName() + " " + c.validationValue()).orElse(null);
        if (cert.isPresent() && (!cert.get().onlyFor(row.domain()) || !certificates.ours(cert.get().arn()))) {
            return new Outcome.Done(lc.withCertificate(null, null), "left the certificate " + cert.get().arn() + " (for "
                    + String.join(", ", cert.get().names()) + "): it is not this stack's certificate of "
                    + row.domain().policyHost() + " alone");
        }
        if (cert.isPresent()) {
            if (cert.get().inUse()) {
                return new Outcome.Wait(lc, "waiting for API Gateway to release the certificate", Duration.ofSeconds(30));
            }
            try {
                certificates.delete(cert.get().arn());
            } catch (software.amazon.awssdk.services.acm.model.ResourceInUseException stillUsed) {
                return new Outcome.Wait(lc, "waiting for API Gateway to release the certificate", Duration.ofSeconds(30));
            }
        }
        if (validation != null && lc.zoneId() != null && !lc.delegated()) { // a delegated domain's is at its DNS host
            String[] v = validation.split(" ", 2);
            Optional<ResourceRecordSet> set = Zones.ofType(zones.setsAt(zone(lc), v[0]), RRType.CNAME)
                    .filter(s -> s.resourceRecords().size() == 1 && v.length == 2
                            && Zones.trimDot(s.resourceRecords().get(0).value()).equalsIgnoreCase(Zones.trimDot(v[1])));
            if (set.isPresent()) {
                zones.change(zone(lc), List.of(Zones.delete(set.get())), "mta-sts-serverless: " + row.domain() + " removed");
            }
        }
        return new Outcome.Done(lc.withCertificate(null, null), cert.isPresent() ? "deleted the certificate" : "no certificate");
    }

    private Outcome deleteRow(DomainRowView row, Lifecycle lc) {
        if (!store.deleteRemoved(row.domain())) {
            return new Outcome.Jump(lc, Step.ZONE, "the removal was withdrawn");
        }
        return new Outcome.Gone(lc, "removed");
    }

    // --- ownership -------------------------------------------------------------------------------------------------

    /**
     * The stack's own custom domain: mapped to its API, tagged with its name, or (a crash between creating and
     * mapping, before tags) unmapped on its certificate.
     */
    private boolean ourCustomDomain(CustomDomains.CustomDomain custom, Lifecycle lc) {
        return custom.mappedHere(customDomains.apiId()) || customDomains.stack().equals(custom.stack())
                || custom.apis().isEmpty() && custom.certificateArn() != null && custom.certificateArn().equals(lc.certificateArn());
    }

    private static String foreignCustomDomain(CustomDomains.CustomDomain custom) {
        return "API Gateway already has a custom domain " + custom.name() + (custom.apis().isEmpty() ? ""
                : " (mapped to API " + String.join(", ", custom.apis()) + ")") + ", which this stack did not create. "
                + "If it is left from an old set-up, delete it (aws apigatewayv2 delete-domain-name --domain-name "
                + custom.name() + "); the stack carries on by itself";
    }

    /** A {@code _mta-sts} record the stack did not publish (none, or one of ours, gives empty). */
    private static Optional<String> foreignAnnouncement(List<ResourceRecordSet> sets, Lifecycle lc) {
        for (ResourceRecordSet set : sets) {
            if (set.type() == RRType.CNAME) {
                return Optional.of(Zones.describe(set) + " (a delegation to another host)");
            }
            if (set.type() == RRType.TXT) {
                String current = Zones.onlyTxt(Optional.of(set));
                if (current == null || !ownAnnouncement(current, lc)) {
                    return Optional.of(Zones.describe(set));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a {@code _mta-sts} record is the stack's: its value is exactly what the stack last wrote there (the
     * announced id), or what it was writing when a run stopped (the id it had checked live, which only
     * {@link #announce} publishes). Never inferred from the shape of the id: another host's may look like ours.
     */
    private static boolean ownAnnouncement(String value, Lifecycle lc) {
        return lc.announced() != null && value.equals(new StsRecord(lc.announced().id()).render())
                || lc.live() != null && value.equals(new StsRecord(lc.live()).render());
    }

    /** A {@code _smtp._tls} record with other addresses than the stack's. */
    private Optional<String> foreignReporting(List<ResourceRecordSet> sets, DomainRowView row, Lifecycle lc) {
        for (ResourceRecordSet set : sets) {
            if (set.type() == RRType.CNAME) {
                return Optional.of(Zones.describe(set) + " (a delegation to another host)");
            }
            if (set.type() == RRType.TXT) {
                String current = Zones.onlyTxt(Optional.of(set));
                if (current == null || !(current.equals(lc.reporting()) || current.equals(tlsRpt(row.domain())))) {
                    return Optional.of(Zones.describe(set));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a ready domain's custom domain may be mapped to an HTTP API that is not this stack's: the stack was
     * deleted and deployed again with its tables kept (a new API; the old one and its mappings are gone), or the state
     * is of a version that did not note the API. The custom-domain step maps it, and the steps after it check the
     * policy live again; what is announced stays as it is.
     */
    boolean mappingStale(Lifecycle lc) {
        return lc.step() == Step.READY && lc.target() != null && !customDomains.apiId().equals(lc.api());
    }

    /** Whether the {@code _smtp._tls} value published for a ready domain is not what the stack publishes now. */
    boolean reportingStale(DomainRowView row, Lifecycle lc) {
        return lc.step() == Step.READY && lc.reporting() != null && !lc.reporting().equals(tlsRpt(row.domain()));
    }

    private String tlsRpt(DomainName d) {
        List<String> rua = new ArrayList<>();
        rua.add(TlsRptRecord.httpsEndpoint(d));
        settings.mailboxes().forEach(m -> rua.add("mailto:" + m));
        return new TlsRptRecord(rua).render();
    }

    private static Zones.Zone zone(Lifecycle lc) {
        return new Zones.Zone(lc.zoneId(), lc.zoneName());
    }

    private Outcome blocked(Lifecycle lc, String detail) {
        return new Outcome.Blocked(lc, detail, LOOK_AGAIN);
    }

    Instant now() {
        return clock.instant();
    }
}
