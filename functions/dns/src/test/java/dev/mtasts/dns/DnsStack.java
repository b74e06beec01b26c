package dev.mtasts.dns;

import dev.mtasts.local.LocalDynamoDb;
import dev.mtasts.local.MotoServer;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** DynamoDB Local and moto_server's Route53, with every Route53 request counted by operation. */
final class DnsStack implements AutoCloseable {
    final LocalDynamoDb dynamo = LocalDynamoDb.start();
    final MotoServer moto = MotoServer.start();
    final DynamoDbClient dynamoClient = Dynamo.create(dynamo.endpoint(), null);
    final DomainStore store = new DomainStore(dynamoClient, "domains-" + System.nanoTime());
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final List<String> metrics = Collections.synchronizedList(new ArrayList<>());
    final Route53Client route53 = Route53Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.AWS_GLOBAL)
            .credentialsProvider(Dynamo.localCredentials())
            .endpointOverride(moto.endpoint())
            .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                @Override
                public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                    calls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                            k -> new AtomicInteger()).incrementAndGet();
                }
            }))
            .build();
    final Zones zones = new Zones(route53);
    final DnsSync sync = new DnsSync(store, zones, new Emf(metrics::add, Clock.systemUTC()), Clock.systemUTC(), 300);

    DnsStack() {
        store.createTable();
    }

    /** A public zone with the given MX hosts at its apex; returns its id. */
    String zone(String name, String... mx) {
        String id = route53.createHostedZone(r -> r.name(name).callerReference(name + System.nanoTime()))
                .hostedZone().id().replace("/hostedzone/", "");
        if (mx.length > 0) {
            List<ResourceRecord> records = new ArrayList<>();
            for (int i = 0; i < mx.length; i++) {
                records.add(ResourceRecord.builder().value((i + 1) * 10 + " " + mx[i] + ".").build());
            }
            route53.changeResourceRecordSets(r -> r.hostedZoneId(id).changeBatch(b -> b.changes(Change.builder()
                    .action(ChangeAction.CREATE).resourceRecordSet(ResourceRecordSet.builder().name(name + ".")
                            .type(RRType.MX).ttl(3600L).resourceRecords(records).build()).build())));
        }
        return id;
    }

    /** The values of the _mta-sts TXT record of a domain, joined per record. */
    List<String> stsTxt(String zoneId, String domain) {
        return Zones.txt(zones.targeted(new Zones.Zone(zoneId, domain)).find("_mta-sts." + domain, software.amazon.awssdk.services.route53.model.RRType.TXT)).stream()
                .map(strings -> String.join("", strings)).toList();
    }

    int changeCalls() {
        AtomicInteger n = calls.get("ChangeResourceRecordSets");
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        route53.close();
        dynamoClient.close();
        moto.close();
        dynamo.close();
    }
}
