package dev.mtasts.sender;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import dev.mtasts.core.PolicyAnswer;
import dev.mtasts.core.StsRecord;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a sending MTA does to learn a domain's policy (RFC 8461 §3): look up {@code _mta-sts} (a CNAME delegation
 * followed, §8.2), then fetch {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} with the rules of §3.3 and parse
 * it strictly (§3.2). Shared by {@code mta-sts check}, the daily check and {@code mta-sts resolver}.
 */
public final class Sender {
    private final Dns dns;
    private final PolicyFetch fetch;
    private final int httpsPort;

    /** @param httpsPort 443, as senders use; another port only for test set-ups */
    public Sender(Dns dns, PolicyFetch fetch, int httpsPort) {
        this.dns = dns;
        this.fetch = fetch;
        this.httpsPort = httpsPort;
    }

    public Dns dns() {
        return dns;
    }

    /**
     * The {@code _mta-sts} record senders see: every TXT record at the name, the one beginning {@code v=STSv1} parsed
     * by §3.1's grammar. No record, two of them, or an invalid one all mean "no policy" to senders; {@code problem}
     * says which.
     */
    public record Announcement(Optional<StsRecord> record, String problem, List<List<String>> txt, List<String> cnames) {
    }

    public Announcement announcement(DomainName domain) throws Dns.Failure {
        Dns.Answer<List<String>> a = dns.txt(domain.stsRecordName());
        try {
            Optional<StsRecord> r = StsRecord.discover(a.records());
            return new Announcement(r, r.isEmpty() ? "no TXT record at " + domain.stsRecordName() + " begins with v=STSv1"
                    : null, a.records(), a.cnames());
        } catch (InvalidException e) {
            return new Announcement(Optional.empty(), e.getMessage(), a.records(), a.cnames());
        }
    }

    /**
     * A fetched policy: the answer, the policy when it is one senders take ({@code problems} empty), and where and how
     * fast it came.
     */
    public record Fetched(PolicyFetch.Result result, Policy policy, List<String> problems, InetAddress address,
            long dnsMillis) {
    }

    /**
     * Why a TLS connection to {@code host} would fail, or null when it succeeds on a certificate valid for it.
     *
     * @param port the port, or -1 for the one policy hosts are asked on (443, as senders use; another in test set-ups)
     */
    public String tlsProblem(String host, InetAddress address, int port) {
        return fetch.handshakeProblem(host, address, port < 0 ? httpsPort : port);
    }

    /** Fetches the policy as senders do: the policy host's first address (IPv4 before IPv6), one GET. */
    public Fetched fetch(DomainName domain) throws Dns.Failure, PolicyFetch.Failure {
        long t0 = System.nanoTime();
        String host = domain.policyHost();
        List<InetAddress> addresses = new ArrayList<>(dns.addresses(host).records());
        long dnsMillis = (System.nanoTime() - t0) / 1_000_000;
        if (addresses.isEmpty()) {
            throw new PolicyFetch.Failure("resolve", host + " has no A or AAAA record", null);
        }
        addresses.sort(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
        InetAddress address = addresses.get(0);
        PolicyFetch.Result result = fetch.fetch(new PolicyFetch.Target(host, address, httpsPort, true));
        PolicyAnswer answer = result.answer();
        List<String> problems = new ArrayList<>(answer.problems());
        Policy policy = null;
        if (problems.isEmpty()) {
            try {
                policy = Policy.parse(answer.text());
            } catch (InvalidException e) {
                e.problems().forEach(p -> problems.add("the body is not a valid policy (RFC 8461 §3.2): " + p));
            }
        }
        return new Fetched(result, policy, problems, address, dnsMillis);
    }
}
