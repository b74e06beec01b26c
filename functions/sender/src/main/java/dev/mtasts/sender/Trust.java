package dev.mtasts.sender;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The certificates a check trusts: the JVM's default roots, or those of a PEM file ({@code --ca-file}).
 *
 * @param context for TLS clients that fail the handshake on a bad certificate, as senders do
 * @param manager for clients that want the verdict without ending the handshake
 */
public record Trust(SSLContext context, X509ExtendedTrustManager manager) {

    public static Trust system() {
        try {
            return of(null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no default trust store", e);
        }
    }

    /** Trusts exactly the certificates of this PEM file. */
    public static Trust fromPem(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException(pem + ": no certificate in it (a PEM file of CA certificates is expected)");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            return of(ks);
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + ": not a PEM file of certificates (" + e.getMessage() + ")");
        }
    }

    private static Trust of(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager m : tmf.getTrustManagers()) {
            if (m instanceof X509ExtendedTrustManager x) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {x}, null);
                return new Trust(ctx, x);
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }
}
