package dev.mtasts.sender;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time, and the server certificates it issues: valid, expired, or for another
 * name. Servers pick the certificate of the name a client asks for by SNI, as real ones do.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final KeyPair key;
    private final X509Certificate certificate;
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();

    /** A certificate and its key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
    }

    public TestCa() throws Exception {
        key = rsa();
        X500Name name = new X500Name("CN=mta-sts-serverless test CA");
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(86400L * 365)), name, key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        certificate = sign(b, key.getPrivate());
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    }

    /** A server certificate for {@code names}, valid between the two instants. */
    public Issued issue(Instant notBefore, Instant notAfter, String... names) throws Exception {
        return issue(rsa(), notBefore, notAfter, names);
    }

    /**
     * A certificate for {@code names} on the key of one issued before: many hosts, each with a certificate of its own,
     * made without a key pair each (2048-bit RSA keys take long to make).
     */
    public Issued issueOnKeyOf(Issued earlier, String... names) throws Exception {
        Instant now = Instant.now();
        X509Certificate c = earlier.certificate();
        return issue(new KeyPair(c.getPublicKey(), earlier.key()), now.minusSeconds(86400), now.plusSeconds(86400L * 90),
                names);
    }

    private Issued issue(KeyPair k, Instant notBefore, Instant notAfter, String... names) throws Exception {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=mta-sts-serverless test CA"),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                new X500Name("CN=" + names[0]), k.getPublic());
        GeneralName[] sans = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            sans[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return new Issued(sign(b, key.getPrivate()), k.getPrivate());
    }

    /** A certificate valid for 90 days from yesterday. */
    public Issued issue(String... names) throws Exception {
        Instant now = Instant.now();
        return issue(now.minusSeconds(86400), now.plusSeconds(86400L * 90), names);
    }

    /** Serves {@code certificate} to clients whose SNI names {@code host}. */
    public TestCa serve(String host, Issued certificate) {
        issued.put(host.toLowerCase(java.util.Locale.ROOT), certificate);
        return this;
    }

    /** The server side: certificates chosen by SNI among those given to {@link #serve}. */
    public SSLContext serverContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {new SniKeyManager()}, null, null);
        return ctx;
    }

    /** The client side: trusts this CA only. */
    public SSLContext clientContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** What a check trusts when pointed at this CA ({@code --ca-file}). */
    public static Trust trust(TestCa ca) throws Exception {
        Path pem = ca.pem(Files.createTempFile("test-ca", ".pem"));
        return Trust.fromPem(pem);
    }

    /** The CA certificate as a PEM file, as {@code --ca-file} takes it. */
    public Path pem(Path file) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(certificate);
        }
        return Files.writeString(file, w.toString());
    }

    /** Chooses the certificate by the SNI name of the connection. */
    private final class SniKeyManager extends X509ExtendedKeyManager {
        private String alias(javax.net.ssl.SSLSession session) {
            if (session instanceof ExtendedSSLSession e) {
                for (SNIServerName n : e.getRequestedServerNames()) {
                    if (n instanceof SNIHostName h && issued.containsKey(h.getAsciiName().toLowerCase(java.util.Locale.ROOT))) {
                        return h.getAsciiName().toLowerCase(java.util.Locale.ROOT);
                    }
                }
            }
            return issued.containsKey("*") ? "*" : issued.keySet().stream().findFirst().orElse(null);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return socket instanceof SSLSocket s ? alias(s.getHandshakeSession()) : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return alias(engine.getHandshakeSession());
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Issued i = issued.get(alias);
            return i == null ? null : new X509Certificate[] {i.certificate(), certificate};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Issued i = issued.get(alias);
            return i == null ? null : i.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return issued.keySet().toArray(String[]::new);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    public List<X509Certificate> chain() {
        return List.of(certificate);
    }
}
