package dev.mtasts.local;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS host of the domains the local stack serves by delegation ({@code domain add --delegated}): a DNS server on
 * 127.0.0.1 (UDP) answering from a zone file the user edits, read again whenever it changes. Paste into it the CNAMEs
 * {@code domain add} prints, and the domain's MX records; the lifecycle looks them up here as it looks them up in
 * public DNS in AWS.
 *
 * <p>Lines are zone-file lines with absolute names: {@code name [ttl] [IN] type data}, e.g.
 * {@code mta-sts.example.net.  CNAME  example.net.mta-sts.delegation.test.}; {@code ;} starts a comment.
 */
final class OutsideDns implements AutoCloseable {
    static final String FILE = "outside-dns.zone";

    private final Path file;
    private final DatagramSocket udp;
    private volatile boolean running = true;
    private volatile List<Record> records = List.of();
    private volatile long readAt = -1;
    private volatile String problem;

    private OutsideDns(Path file, DatagramSocket udp) {
        this.file = file;
        this.udp = udp;
    }

    /** Listens on 127.0.0.1 (a free port) and answers from {@code file}, made with an explanation when missing. */
    static OutsideDns start(Path file, String delegationZone, Runnable changed) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, String.join("\n",
                    "; The DNS host of the domains the local stack serves by delegation (mta-sts domain add DOMAIN --delegated),",
                    "; read again whenever it changes. Paste here the CNAMEs domain add prints (they point at " + delegationZone + ")",
                    "; and the domain's MX records, e.g.:",
                    ";   example.net.  MX  10 mail.example.net.",
                    ""), StandardCharsets.UTF_8);
        }
        OutsideDns dns = new OutsideDns(file, new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        Thread t = new Thread(dns::serve, "outside-dns");
        t.setDaemon(true);
        t.start();
        dns.reload();
        Thread w = new Thread(() -> dns.watch(changed), "outside-dns-file");
        w.setDaemon(true);
        w.start();
        return dns;
    }

    /** {@code 127.0.0.1:port}. */
    String address() {
        return udp.getLocalAddress().getHostAddress() + ":" + udp.getLocalPort();
    }

    Path file() {
        return file;
    }

    /** Why the last reading of the file failed (a line that is not a record), or null. */
    String problem() {
        reload();
        return problem;
    }

    /**
     * Looks at the file every second; when it changed, {@code changed} runs: the local stack looks at once at the
     * domains waiting for their records, as a user who just published them expects (AWS looks every few minutes).
     */
    private void watch(Runnable changed) {
        while (running) {
            try {
                Thread.sleep(1000);
                if (reload()) {
                    changed.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the next change tries again
            }
        }
    }

    /** Reads the file again if it changed; whether it did. */
    private synchronized boolean reload() {
        try {
            long modified = Files.getLastModifiedTime(file).toMillis() ^ Files.size(file);
            if (modified == readAt) {
                return false;
            }
            List<Record> read = new ArrayList<>();
            String bad = null;
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                String text = withoutComment(line);
                if (text.isBlank()) {
                    continue;
                }
                try {
                    read.add(parse(text));
                } catch (IOException | RuntimeException e) {
                    bad = bad != null ? bad : file + " line " + n + ": \"" + text.strip() + "\" is not a record (" + e.getMessage() + ")";
                }
            }
            records = List.copyOf(read);
            problem = bad;
            readAt = modified;
            return true;
        } catch (IOException e) {
            problem = file + ": " + e.getMessage();
            return false;
        }
    }

    /** The line up to a {@code ;} that is not inside quotes (a TXT value holds them: {@code "v=STSv1; id=1"}). */
    static String withoutComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** {@code name [ttl] [IN] type data}. */
    static Record parse(String line) throws IOException {
        List<String> t = new ArrayList<>(List.of(line.strip().split("\\s+", 2)));
        Name name = Name.fromString(t.get(0).endsWith(".") ? t.get(0) : t.get(0) + ".");
        String rest = t.size() > 1 ? t.get(1).strip() : "";
        long ttl = 300;
        String[] p = rest.split("\\s+", 2);
        if (p[0].matches("\\d+")) {
            ttl = Long.parseLong(p[0]);
            rest = p.length > 1 ? p[1] : "";
            p = rest.split("\\s+", 2);
        }
        if (p[0].equalsIgnoreCase("IN")) {
            rest = p.length > 1 ? p[1] : "";
            p = rest.split("\\s+", 2);
        }
        int type = Type.value(p[0].toUpperCase(Locale.ROOT));
        if (type < 0 || p.length < 2) {
            throw new IOException("expected: name [ttl] [IN] type data");
        }
        return Record.fromString(name, type, DClass.IN, ttl, p[1], Name.root);
    }

    /** As an authoritative server answers, following CNAMEs within its own data. */
    byte[] answer(byte[] query) throws IOException {
        reload();
        Message q = new Message(query);
        Record question = q.getQuestion();
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        r.addRecord(question, Section.QUESTION);
        List<Record> all = records;
        Name name = question.getName();
        boolean exists = false;
        for (int hop = 0; hop < 8; hop++) {
            Name current = name;
            List<Record> here = all.stream().filter(x -> x.getName().equals(current)).toList();
            exists |= !here.isEmpty() || all.stream().anyMatch(x -> x.getName().subdomain(current));
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
        return r.toWire();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                udp.receive(in);
                byte[] out = answer(java.util.Arrays.copyOf(in.getData(), in.getLength()));
                udp.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
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
    }
}
