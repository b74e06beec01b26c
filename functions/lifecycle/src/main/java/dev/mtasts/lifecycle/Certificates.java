package dev.mtasts.lifecycle;

import dev.mtasts.core.DomainName;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.acm.model.CertificateDetail;
import software.amazon.awssdk.services.acm.model.CertificateStatus;
import software.amazon.awssdk.services.acm.model.CertificateSummary;
import software.amazon.awssdk.services.acm.model.DomainValidation;
import software.amazon.awssdk.services.acm.model.ResourceNotFoundException;
import software.amazon.awssdk.services.acm.model.Tag;
import software.amazon.awssdk.services.acm.model.ValidationMethod;

/**
 * The ACM certificates of policy hosts ({@code mta-sts.<domain>}), one per domain, validated by DNS. The stack's own
 * are tagged with the stack's name and are for the policy host alone, so another certificate for the same name (the
 * user's, another stack's, one for more names) is neither reused nor deleted.
 */
public final class Certificates {
    /** The tag that marks a certificate as this stack's; its value is the stack name. */
    public static final String TAG = "mta-sts-serverless:stack";

    private final AcmClient acm;
    private final String stack;

    public Certificates(AcmClient acm, String stack) {
        this.acm = acm;
        this.stack = stack;
    }

    /**
     * A certificate as the lifecycle needs it: status, and the CNAME ACM wants to see (once it has said).
     *
     * @param names every name it is for (its domain name and subject alternative names)
     */
    public record Certificate(String arn, CertificateStatus status, String failure, String validationName,
            String validationValue, boolean inUse, List<String> names) {
        /** Whether it is for the policy host and nothing else: the only kind the stack requests, and deletes. */
        public boolean onlyFor(DomainName domain) {
            return names.equals(List.of(domain.policyHost()));
        }
    }

    /** This stack's certificate for the domain's policy host: the one named by arn if it still exists, else found by tag. */
    public Optional<Certificate> find(DomainName domain, String arn) {
        if (arn != null) {
            Optional<Certificate> known = describe(arn);
            if (known.isPresent() && known.get().status() != CertificateStatus.FAILED
                    && known.get().status() != CertificateStatus.VALIDATION_TIMED_OUT) {
                return known;
            }
        }
        String host = domain.policyHost();
        for (CertificateSummary s : acm.listCertificatesPaginator(r -> r.certificateStatuses(
                CertificateStatus.PENDING_VALIDATION, CertificateStatus.ISSUED)).certificateSummaryList()) {
            if (host.equals(s.domainName()) && ours(s.certificateArn())) {
                Optional<Certificate> found = describe(s.certificateArn());
                if (found.isPresent() && found.get().onlyFor(domain)) {
                    return found; // one for other names too is not one the stack requested, whatever its tag says
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Asks ACM for a certificate validated by DNS, tagged as this stack's. No idempotency token: one fixed per name
     * would hand back, within the hour, a certificate deleted by a removal; a request repeated after a crash is
     * instead found by {@link #find}, by its tag, before a new one is asked for.
     */
    public String request(DomainName domain) {
        String host = domain.policyHost();
        return acm.requestCertificate(r -> r.domainName(host)
                .validationMethod(ValidationMethod.DNS)
                .tags(Tag.builder().key(TAG).value(stack).build())).certificateArn();
    }

    public Optional<Certificate> describe(String arn) {
        CertificateDetail d;
        try {
            d = acm.describeCertificate(r -> r.certificateArn(arn)).certificate();
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
        String name = null;
        String value = null;
        for (DomainValidation v : d.domainValidationOptions()) {
            if (v.resourceRecord() != null) {
                name = Zones.trimDot(v.resourceRecord().name()).toLowerCase(java.util.Locale.ROOT);
                value = v.resourceRecord().value();
            }
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        if (d.domainName() != null) {
            names.add(d.domainName());
        }
        if (d.hasSubjectAlternativeNames()) {
            names.addAll(d.subjectAlternativeNames());
        }
        return Optional.of(new Certificate(arn, d.status(), d.failureReasonAsString(), name, value,
                d.hasInUseBy() && !d.inUseBy().isEmpty(), List.copyOf(names)));
    }

    public void delete(String arn) {
        try {
            acm.deleteCertificate(r -> r.certificateArn(arn));
        } catch (ResourceNotFoundException e) {
            // gone already
        }
    }

    /** Whether the certificate carries this stack's tag now. */
    public boolean ours(String arn) {
        try {
            return acm.listTagsForCertificate(r -> r.certificateArn(arn)).tags().stream()
                    .anyMatch(t -> TAG.equals(t.key()) && stack.equals(t.value()));
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }
}
