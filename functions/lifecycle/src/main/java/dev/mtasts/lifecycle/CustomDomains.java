package dev.mtasts.lifecycle;

import dev.mtasts.core.DomainName;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.apigatewayv2.model.ApiMapping;
import software.amazon.awssdk.services.apigatewayv2.model.DomainNameConfiguration;
import software.amazon.awssdk.services.apigatewayv2.model.EndpointType;
import software.amazon.awssdk.services.apigatewayv2.model.GetDomainNameResponse;
import software.amazon.awssdk.services.apigatewayv2.model.IpAddressType;
import software.amazon.awssdk.services.apigatewayv2.model.NotFoundException;
import software.amazon.awssdk.services.apigatewayv2.model.SecurityPolicy;

/**
 * The API Gateway custom domains {@code mta-sts.<domain>} that put the stack's HTTP API on each policy host:
 * regional, TLS 1.2, reachable over IPv4 and IPv6, mapped to the API's default stage, and tagged with the stack's
 * name ({@link Certificates#TAG}): the role may map and delete only custom domains carrying that tag.
 */
public final class CustomDomains {
    private final ApiGatewayV2Client api;
    private final String apiId;
    private final String stack;

    public CustomDomains(ApiGatewayV2Client api, String apiId, String stack) {
        this.api = api;
        this.apiId = apiId;
        this.stack = stack;
    }

    public String stack() {
        return stack;
    }

    public String apiId() {
        return apiId;
    }

    /**
     * A custom domain as the lifecycle sees it.
     *
     * @param target the regional name alias records point at and its hosted zone, {@code name zone}; null until API
     *     Gateway has said
     * @param apis the APIs mapped to it
     * @param stack the stack its tag names, null when it has none
     */
    public record CustomDomain(String name, String certificateArn, String target, String status, List<String> apis,
            String stack) {
        public boolean mappedHere(String apiId) {
            return apis.contains(apiId);
        }
    }

    public Optional<CustomDomain> find(DomainName domain) {
        String name = domain.policyHost();
        GetDomainNameResponse d;
        try {
            d = api.getDomainName(r -> r.domainName(name));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
        DomainNameConfiguration c = d.hasDomainNameConfigurations() && !d.domainNameConfigurations().isEmpty()
                ? d.domainNameConfigurations().get(0) : null;
        List<String> apis = api.getApiMappings(r -> r.domainName(name)).items().stream().map(ApiMapping::apiId).toList();
        String target = c == null || c.apiGatewayDomainName() == null || c.hostedZoneId() == null ? null
                : c.apiGatewayDomainName() + " " + c.hostedZoneId();
        return Optional.of(new CustomDomain(name, c == null ? null : c.certificateArn(), target,
                c == null ? null : c.domainNameStatusAsString(), apis,
                d.hasTags() ? d.tags().get(Certificates.TAG) : null));
    }

    public void create(DomainName domain, String certificateArn) {
        api.createDomainName(r -> r.domainName(domain.policyHost()).domainNameConfigurations(DomainNameConfiguration.builder()
                .certificateArn(certificateArn)
                .endpointType(EndpointType.REGIONAL)
                .securityPolicy(SecurityPolicy.TLS_1_2)
                .ipAddressType(IpAddressType.DUALSTACK)
                .build())
                .tags(java.util.Map.of(Certificates.TAG, stack)));
    }

    /**
     * Maps the whole host to the API's default stage: the functions route by path and Host themselves. A mapping of
     * the stack's custom domain to another API is taken off first: that API is what an earlier deployment of the
     * stack left (deleted with its API kept), and one host answers from one API.
     */
    public void map(CustomDomain custom) {
        String name = custom.name();
        for (ApiMapping m : custom.apis().isEmpty() ? List.<ApiMapping>of()
                : api.getApiMappings(r -> r.domainName(name)).items()) {
            if (!apiId.equals(m.apiId())) {
                api.deleteApiMapping(r -> r.domainName(name).apiMappingId(m.apiMappingId()));
            }
        }
        api.createApiMapping(r -> r.domainName(name).apiId(apiId).stage("$default"));
    }

    /** Deletes the custom domain (its mappings go with it); nothing when it is gone. */
    public void delete(DomainName domain) {
        try {
            api.deleteDomainName(r -> r.domainName(domain.policyHost()));
        } catch (NotFoundException e) {
            // gone already
        }
    }

    /** The id of the HTTP API with this name, or null. */
    public static String findApi(ApiGatewayV2Client api, String name) {
        String token = null;
        do {
            String t = token;
            var page = api.getApis(r -> r.nextToken(t));
            for (var a : page.items()) {
                if (name.equals(a.name())) {
                    return a.apiId();
                }
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return null;
    }
}
