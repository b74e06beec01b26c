package dev.mtasts.sender;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DNS as a sending MTA queries it (dnsjava): TXT records as their strings, MX hosts by preference, a host's
 * addresses, CNAME chains followed (RFC 8461 §8.2 allows delegating {@code _mta-sts} and {@code mta-sts} by CNAME).
 * Asks the system's resolvers, or one given server ({@code --dns-server}), with one timeout per question.
 *
 * <p>Each question asks for the AD bit (RFC 6840 §5.7): a validating resolver sets it in its answer when every record
 * there is DNSSEC-validated, which is what DANE (RFC 7672) builds on. The bit is only as good as the path to the
 * resolver, so it means something only from a resolver on this host ({@link #onThisHost()}), as Postfix's
 * {@code smtp_dns_support_level = dnssec} expects.
 */
public final class Dns {
    /** CNAME hops followed before giving up: more is a loop or a misconfiguration. */
    static final int MAX_CNAMES = 8;

    private final Resolver resolver;
    /** The one server asked, {@code host:port}; null for the system's resolvers. */
    private final String server;

    private Dns(Resolver resolver, String server) {
        this.resolver = resolver;
        this.server = server;
    }

    /** Whether every server asked is on this host (a loopback address), so that no one on a network path can set AD. */
    public boolean onThisHost() {
        List<InetAddress> servers = new ArrayList<>();
        if (resolver instanceof ExtendedResolver e) {
            for (Resolver r : e.getResolvers()) {
                if (r instanceof SimpleResolver s) {
                    servers.add(s.getAddress().getAddress());
                } else {
                    return false;
                }
            }
        } else if (resolver instanceof SimpleResolver s) {
            servers.add(s.getAddress().getAddress());
        }
        return !servers.isEmpty() && servers.stream().allMatch(InetAddress::isLoopbackAddress);
    }

    /** The addresses asked, for messages: {@code 127.0.0.1:53}. */
    public List<String> servers() {
        List<String> out = new ArrayList<>();
        Resolver[] all = resolver instanceof ExtendedResolver e ? e.getResolvers() : new Resolver[] {resolver};
        for (Resolver r : all) {
            if (r instanceof SimpleResolver s) {
                out.add(s.getAddress().getAddress().getHostAddress() + ":" + s.getAddress().getPort());
            }
        }
        return out;
    }

    /** The system's resolvers. */
    public static Dns system(Duration timeout) {
        ExtendedResolver r = new ExtendedResolver();
        r.setTimeout(timeout);
        return new Dns(r, null);
    }

    /** One server, {@code host} or {@code host:port} ({@code [v6]:port} for IPv6). */
    public static Dns server(String hostAndPort, Duration timeout) throws UnknownHostException {
        String host = hostAndPort;
        int port = 53;
        if (hostAndPort.startsWith("[")) {
            int close = hostAndPort.indexOf(']');
            host = hostAndPort.substring(1, close);
            if (hostAndPort.length() > close + 2 && hostAndPort.charAt(close + 1) == ':') {
                port = Integer.parseInt(hostAndPort.substring(close + 2));
            }
        } else if (hostAndPort.indexOf(':') == hostAndPort.lastIndexOf(':') && hostAndPort.contains(":")) {
            host = hostAndPort.substring(0, hostAndPort.indexOf(':'));
            port = Integer.parseInt(hostAndPort.substring(hostAndPort.indexOf(':') + 1));
        }
        SimpleResolver r = new SimpleResolver(InetAddress.getByName(host));
        r.setPort(port);
        r.setTimeout(timeout);
        return new Dns(r, (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    }

    /** No answer to give: the name does not exist, the server failed, or no server answered. */
    public static final class Failure extends Exception {
        private final boolean passing;

        Failure(String message, boolean passing) {
            super(message, null, false, false);
            this.passing = passing;
        }

        /** A timeout or SERVFAIL: asking again later may help. */
        public boolean passing() {
            return passing;
        }
    }

    /**
     * The answer for one name and type, the CNAMEs that led there ({@code name -> target}, in order) and the name
     * that holds the records. No records (NODATA, NXDOMAIN) is an empty list, not a failure.
     *
     * @param validated every response on the way had the AD bit: the resolver validated the records, or their
     *     absence, with DNSSEC
     */
    public record Answer<T>(List<T> records, List<String> cnames, String owner, boolean nxdomain, boolean validated) {
    }

    /** TXT records, each as its list of strings (RFC 8461 §3.1 joins them without spaces). */
    public Answer<List<String>> txt(String name) throws Failure {
        Answer<Record> a = query(name, Type.TXT);
        List<List<String>> out = new ArrayList<>();
        for (Record r : a.records()) {
            out.add(List.copyOf(((TXTRecord) r).getStrings()));
        }
        return new Answer<>(out, a.cnames(), a.owner(), a.nxdomain(), a.validated());
    }

    /**
     * The CNAME at a name itself, not followed: its target in lower case without the trailing dot (RFC 8461 §8.2: a
     * domain may delegate {@code _mta-sts} and {@code mta-sts} by CNAME). Empty when the name holds other records or
     * none.
     */
    public Answer<String> cname(String name) throws Failure {
        Answer<Record> a = query(name, Type.CNAME);
        List<String> out = new ArrayList<>();
        for (Record r : a.records()) {
            out.add(hostName(((CNAMERecord) r).getTarget()));
        }
        return new Answer<>(out, a.cnames(), a.owner(), a.nxdomain(), a.validated());
    }

    /** An MX host and its preference. */
    public record Mx(int preference, String host) {
    }

    /** MX records by preference, host names in lower case without the trailing dot. */
    public Answer<Mx> mx(String domain) throws Failure {
        Answer<Record> a = query(domain, Type.MX);
        List<Mx> out = new ArrayList<>();
        for (Record r : a.records()) {
            MXRecord mx = (MXRecord) r;
            out.add(new Mx(mx.getPriority(), hostName(mx.getTarget())));
        }
        out.sort(Comparator.comparingInt(Mx::preference).thenComparing(Mx::host));
        return new Answer<>(out, a.cnames(), a.owner(), a.nxdomain(), a.validated());
    }

    /**
     * A TLSA record (RFC 6698 §2.1) as a sender judges it: its three numbers and the length of its data.
     *
     * @param length bytes of certificate association data
     */
    public record Tlsa(int usage, int selector, int matchingType, int length) {
    }

    /** The TLSA records of an SMTP server: {@code _25._tcp.<host>} (RFC 7672 §2.2.3). */
    public Answer<Tlsa> tlsa(String host) throws Failure {
        Answer<Record> a = query("_25._tcp." + host, Type.TLSA);
        List<Tlsa> out = new ArrayList<>();
        for (Record r : a.records()) {
            TLSARecord t = (TLSARecord) r;
            out.add(new Tlsa(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                    t.getCertificateAssociationData().length));
        }
        return new Answer<>(out, a.cnames(), a.owner(), a.nxdomain(), a.validated());
    }

    /** The IPv4 and IPv6 addresses of a host, IPv4 first. */
    public Answer<InetAddress> addresses(String host) throws Failure {
        Answer<Record> v4 = query(host, Type.A);
        Answer<Record> v6 = query(host, Type.AAAA);
        List<InetAddress> out = new ArrayList<>();
        v4.records().forEach(r -> out.add(((ARecord) r).getAddress()));
        v6.records().forEach(r -> out.add(((AAAARecord) r).getAddress()));
        return new Answer<>(out, v4.cnames(), v4.owner(), v4.nxdomain() && v6.nxdomain(), v4.validated() && v6.validated());
    }

    private Answer<Record> query(String name, int type) throws Failure {
        Name current;
        try {
            current = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new Failure("\"" + name + "\" is not a domain name", false);
        }
        List<String> cnames = new ArrayList<>();
        boolean validated = true;
        for (int hop = 0; hop <= MAX_CNAMES; hop++) {
            Message response;
            try {
                Message q = Message.newQuery(Record.newRecord(current, type, DClass.IN));
                q.getHeader().setFlag(Flags.AD);
                response = send(q);
            } catch (IOException e) {
                throw new Failure("no answer for " + hostName(current) + " " + Type.string(type) + " (" + why(e) + ")", true);
            }
            validated &= response.getHeader().getFlag(Flags.AD);
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return new Answer<>(List.of(), cnames, hostName(current), true, validated);
            }
            if (rcode != Rcode.NOERROR) {
                throw new Failure(hostName(current) + " " + Type.string(type) + ": the DNS server answered "
                        + Rcode.string(rcode), rcode == Rcode.SERVFAIL);
            }
            // a recursive answer holds the whole chain; an authoritative one may stop at the first CNAME
            List<Record> answers = response.getSection(Section.ANSWER);
            Name owner = current;
            boolean moved = true;
            while (moved) {
                moved = false;
                for (Record r : answers) {
                    if (r.getType() == Type.CNAME && r.getName().equals(owner) && type != Type.CNAME) {
                        Name target = ((CNAMERecord) r).getTarget();
                        cnames.add(hostName(owner) + " -> " + hostName(target));
                        if (cnames.size() > MAX_CNAMES) {
                            throw new Failure("more than " + MAX_CNAMES + " CNAMEs from " + name, false);
                        }
                        owner = target;
                        moved = true;
                        break;
                    }
                }
            }
            List<Record> found = new ArrayList<>();
            for (Record r : answers) {
                if (r.getType() == type && r.getName().equals(owner)) {
                    found.add(r);
                }
            }
            if (!found.isEmpty() || owner.equals(current)) {
                return new Answer<>(found, cnames, hostName(owner), false, validated);
            }
            current = owner; // the chain left the answer: ask for its end
        }
        throw new Failure("more than " + MAX_CNAMES + " CNAMEs from " + name, false);
    }

    /**
     * Asks and waits as {@link Resolver#send} does, with dnsjava's answers completed on {@link #ANSWERS}. Left to
     * itself, dnsjava completes each answer in the common fork-join pool, which CompletableFuture replaces by a new
     * thread per task on a host of one or two cores: four new threads per cold lookup of {@code mta-sts resolver}.
     */
    private Message send(Message q) throws IOException {
        try {
            return resolver.sendAsync(q, ANSWERS).toCompletableFuture()
                    .get(resolver.getTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new java.net.SocketTimeoutException("Timed out");
        }
    }

    /** Threads that complete dnsjava's answers, kept for a while and shared by every {@code Dns}. */
    private static final Executor ANSWERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "dns-answer");
                t.setDaemon(true);
                return t;
            });

    /**
     * Why no answer came, in our words (dnsjava's carry query ids). Over UDP a refusal is the ICMP "port
     * unreachable" that comes back at once when nothing listens: not a timeout, which would mean waiting helps.
     */
    private String why(IOException e) {
        if (e instanceof java.net.PortUnreachableException || e instanceof java.net.ConnectException) {
            return "connection refused: no DNS server at " + (server == null ? "the system's resolver" : server);
        }
        String message = e.getMessage();
        return message == null || message.startsWith("Timed out") || e instanceof java.net.SocketTimeoutException
                ? "timed out" : message;
    }

    static String hostName(Name n) {
        String s = n.toString(true);
        return s.toLowerCase(Locale.ROOT);
    }
}
