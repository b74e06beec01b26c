package dev.mtasts.sender;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server on 127.0.0.1 (UDP and TCP on one port), answering from records the test gives in zone
 * file syntax; answers are built by dnsjava, so clients see real DNS messages. Names can be made to fail (SERVFAIL)
 * or to stay silent (no answer at all).
 *
 * <p>It can also play the validating resolver a host trusts for DNSSEC: for names in a zone made {@link #signed}, an
 * answer to a question that asks for it (AD or DO set, RFC 6840 §5.7) has the AD bit, as a validating resolver gives
 * for records it validated; names elsewhere are answered without it, as for an unsigned zone. (A bogus signature
 * makes a validating resolver answer SERVFAIL: {@link #failing}.)
 */
public final class DnsServer implements AutoCloseable {
    private final List<Record> records = new CopyOnWriteArrayList<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final Set<Name> signed = ConcurrentHashMap.newKeySet();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean running = true;

    public DnsServer() throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** On a given address and port, e.g. 127.0.0.2:53 for a program that reads its server from resolv.conf. */
    public DnsServer(InetSocketAddress at) throws IOException {
        tcp = new ServerSocket(at.getPort(), 16, at.getAddress());
        udp = new DatagramSocket(new InetSocketAddress(at.getAddress(), tcp.getLocalPort()));
        Thread u = new Thread(this::serveUdp, "dns-udp");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::serveTcp, "dns-tcp");
        t.setDaemon(true);
        t.start();
    }

    /** {@code 127.0.0.1:port}, as {@code --dns-server} takes it. */
    public String address() {
        return tcp.getInetAddress().getHostAddress() + ":" + tcp.getLocalPort();
    }

    public int queries() {
        return queries.get();
    }

    /** Adds a record in zone file syntax, e.g. {@code "example.com. 300 IN MX 10 mail.example.com."}. */
    public DnsServer add(String line) {
        try {
            String[] p = line.trim().split("\\s+", 5);
            Name name = Name.fromString(p[0]);
            records.add(Record.fromString(name, Type.value(p[3]), DClass.IN, Long.parseLong(p[1]), p[4], Name.root));
        } catch (IOException e) {
            throw new IllegalArgumentException(line, e);
        }
        return this;
    }

    /** Removes every record of this name and type. */
    public DnsServer remove(String name, String type) {
        records.removeIf(r -> r.getName().toString().equalsIgnoreCase(dotted(name)) && r.getType() == Type.value(type));
        return this;
    }

    public DnsServer failing(String name) {
        failing.add(dotted(name));
        return this;
    }

    public DnsServer silent(String name) {
        silent.add(dotted(name));
        return this;
    }

    /** Names at and below {@code zone} are answered as validated: the AD bit set for a client that asks for it. */
    public DnsServer signed(String zone) {
        try {
            signed.add(Name.fromString(dotted(zone)));
        } catch (IOException e) {
            throw new IllegalArgumentException(zone, e);
        }
        return this;
    }

    /** No longer validated: the zone's signatures are gone (answers come without the AD bit). */
    public DnsServer unsigned(String zone) {
        signed.removeIf(z -> z.toString().equalsIgnoreCase(dotted(zone)));
        return this;
    }

    private boolean isSigned(Name name) {
        return signed.stream().anyMatch(z -> name.equals(z) || name.subdomain(z));
    }

    private static String dotted(String name) {
        return (name.endsWith(".") ? name : name + ".").toLowerCase(java.util.Locale.ROOT);
    }

    /** The answer an authoritative server gives, following CNAMEs within its own data. */
    byte[] answer(byte[] query) throws IOException {
        Message q = new Message(query);
        queries.incrementAndGet();
        Record question = q.getQuestion();
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.addRecord(question, Section.QUESTION);
        String asked = question.getName().toString().toLowerCase(java.util.Locale.ROOT);
        if (silent.contains(asked)) {
            return null;
        }
        if (failing.contains(asked)) {
            r.getHeader().setRcode(Rcode.SERVFAIL);
            return r.toWire();
        }
        Name name = question.getName();
        boolean exists = false;
        boolean validated = isSigned(name);
        for (int hop = 0; hop < 10; hop++) {
            Name current = name;
            validated &= isSigned(current);
            List<Record> here = records.stream().filter(x -> x.getName().equals(current)).toList();
            // a name with records below it exists too (an empty non-terminal answers NOERROR, RFC 8020)
            exists |= !here.isEmpty() || records.stream().anyMatch(x -> x.getName().subdomain(current));
            List<Record> wanted = here.stream().filter(x -> x.getType() == question.getType()).toList();
            if (!wanted.isEmpty()) {
                wanted.forEach(x -> r.addRecord(x, Section.ANSWER));
                break;
            }
            Record cname = here.stream().filter(x -> x.getType() == Type.CNAME).findFirst().orElse(null);
            if (cname == null) {
                break;
            }
            r.addRecord(cname, Section.ANSWER);
            name = ((org.xbill.DNS.CNAMERecord) cname).getTarget();
        }
        if (!exists) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        boolean wantsAd = q.getHeader().getFlag(Flags.AD)
                || (q.getOPT() != null && (q.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0);
        if (validated && wantsAd) {
            r.getHeader().setFlag(Flags.AD);
        }
        return r.toWire();
    }

    private void serveUdp() {
        byte[] buf = new byte[4096];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                udp.receive(in);
                byte[] query = java.util.Arrays.copyOf(in.getData(), in.getLength());
                byte[] out = answer(query);
                if (out == null) {
                    continue;
                }
                if (out.length > 512) { // tell the client to ask again over TCP, as real servers do
                    Message q = new Message(query);
                    Message truncated = new Message(q.getHeader().getID());
                    truncated.getHeader().setFlag(Flags.QR);
                    truncated.getHeader().setFlag(Flags.TC);
                    truncated.addRecord(q.getQuestion(), Section.QUESTION);
                    out = truncated.toWire();
                }
                udp.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void serveTcp() {
        while (running) {
            try (Socket s = tcp.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] out = answer(query);
                if (out != null) {
                    DataOutputStream o = new DataOutputStream(s.getOutputStream());
                    o.writeShort(out.length);
                    o.write(out);
                    o.flush();
                }
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
