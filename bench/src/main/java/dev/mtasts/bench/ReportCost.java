package dev.mtasts.bench;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Policy;
import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.reports.Ingest;
import dev.mtasts.reports.Metrics;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.io.ByteArrayInputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What one report costs the reports function, warm and in process, against DynamoDB Local in this JVM: the path
 * the S3 function takes per object (Ingest.accept, then Ingest.record: read, check the domain, one transaction),
 * without the S3 calls. CPU is the ingesting thread's own (DynamoDB Local's threads excluded); capacity is what
 * DynamoDB Local reports with ReturnConsumedCapacity=TOTAL. Usage: {@code ReportCost CORPUS [BATCHES]}.
 */
public final class ReportCost {
    /** template.yaml: Globals MemorySize 1024 and Architectures arm64, which ReportsApiFunction and ReportsS3Function keep. */
    static final int MEMORY_MB = 1024;
    static final double ARM_GB_SECOND = 0.0000133334;
    static final double X86_GB_SECOND = 0.0000166667;
    static final double PER_MILLION_REQUESTS = 0.20;
    static final double PER_MILLION_WRITE_UNITS = 0.625;
    static final double PER_MILLION_READ_UNITS = 0.125;
    /** S3 Standard, us-east-1: PUT and COPY $0.005 per 1,000, GET $0.0004 per 1,000, DELETE free. */
    static final double PER_MILLION_S3_PUT = 5.00;
    static final double PER_MILLION_S3_GET = 0.40;
    /** The raw report in S3: HTTPS, one PUT; e-mail, SES's PUT, then the function's GET and COPY to processed/. */
    static final double S3_HTTPS = PER_MILLION_S3_PUT;
    static final double S3_EMAIL = 2 * PER_MILLION_S3_PUT + PER_MILLION_S3_GET;
    /** Lambda and DynamoDB reads per million reports, for the total by the documented rule. */
    static double lambdaAndReads;
    static final int WARM = 500;

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args.length > 0 ? args[0] : "bench/target/corpus");
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus.resolve("small"))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json.gz")).sorted().toList();
        }
        List<byte[]> bodies = new ArrayList<>();
        for (Path p : files) {
            bodies.add(Files.readAllBytes(p));
        }
        Capacity capacity = new Capacity();
        try (LocalDynamoDb dynamo = LocalDynamoDb.start()) {
            DynamoDbClient client = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .region(Dynamo.LOCAL_REGION).credentialsProvider(Dynamo.localCredentials())
                    .endpointOverride(dynamo.endpoint())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(capacity)).build();
            DomainStore domains = new DomainStore(client, DomainStore.DEFAULT_TABLE);
            domains.createTable();
            // the domains gen-reports.py writes reports for
            for (String d : List.of("example.com", "example.org", "example.net")) {
                domains.put(new DomainRow(DomainName.parse(d),
                        Policy.of("enforce", List.of("*.mail.example.com"), "604800")));
            }
            ReportReader reader = new ReportReader(Limits.DEFAULT);
            Clock clock = Clock.systemUTC();
            Metrics metrics = new Metrics(line -> { }, clock);

            // warm: the first reports into a table of their own, so every measured report is new to its table
            ReportStore warmStore = new ReportStore(client, "mta-sts-reports-warm", Duration.ofDays(400));
            warmStore.createTable();
            Ingest warm = new Ingest(reader, domains, warmStore, metrics, true, clock);
            for (int i = 0; i < WARM; i++) {
                ingest(warm, bodies.get(i), files.get(i));
            }

            ReportStore store = new ReportStore(client, ReportStore.DEFAULT_TABLE, Duration.ofDays(400));
            store.createTable();
            Ingest ingest = new Ingest(reader, domains, store, metrics, true, clock);
            capacity.reset();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long gc0 = gcMillis();
            long wall0 = System.nanoTime();
            List<Double> cpuPerReport = new ArrayList<>();
            int per = bodies.size() / batches;
            int stored = 0;
            for (int b = 0; b < batches; b++) {
                long c0 = threads.getCurrentThreadCpuTime();
                for (int i = b * per; i < (b + 1) * per; i++) {
                    stored += ingest(ingest, bodies.get(i), files.get(i)) == ReportStore.Outcome.STORED ? 1 : 0;
                }
                cpuPerReport.add((threads.getCurrentThreadCpuTime() - c0) / 1e6 / per);
            }
            double wallPerReport = (System.nanoTime() - wall0) / 1e6 / (per * batches);
            double gcPerReport = (double) (gcMillis() - gc0) / (per * batches);
            if (stored != per * batches) {
                throw new IllegalStateException("stored " + stored + " of " + per * batches + " reports");
            }
            report(per * batches, batches, cpuPerReport, wallPerReport, gcPerReport, capacity);
            sizes(client, store.table(), per * batches);
        }
        // DynamoDB Local leaves a non-daemon worker behind that would keep this JVM for minutes
        System.exit(0);
    }

    static ReportStore.Outcome ingest(Ingest ingest, byte[] body, Path file) throws Ingest.Rejected {
        String name = file.getFileName().toString();
        Ingest.Accepted accepted = ingest.accept(new ByteArrayInputStream(body), "incoming/" + name, null);
        return ingest.record(accepted, "processed/" + name, null).outcome();
    }

    static void report(int reports, int batches, List<Double> cpu, double wall, double gc, Capacity c) {
        List<Double> sorted = new ArrayList<>(cpu);
        sorted.sort(null);
        double ms = sorted.get((sorted.size() - 1) / 2);
        double wcu = c.write.sum() / reports;
        double rcu = c.read.sum() / reports;
        long billedMs = (long) Math.ceil(ms);
        double gbSeconds = MEMORY_MB / 1024.0 * billedMs / 1000;
        System.out.println();
        System.out.printf("Reports function, per stored report (%d small .json.gz reports, %d batches, after %d to warm;"
                + " JVM %s, %s)%n", reports, batches, WARM, System.getProperty("java.vm.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments().isEmpty() ? "default flags"
                        : String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        System.out.println("  path: Ingest.accept (gunzip, parse, totals, domain check) + Ingest.record (one"
                + " TransactWriteItems), as S3ReportHandler per object; no S3 calls, no stream function");
        System.out.printf("  CPU of the ingesting thread (ThreadMXBean.getCurrentThreadCpuTime; DynamoDB Local's"
                + " threads excluded): median %.3f ms/report (batches %.3f-%.3f)%n", ms, sorted.get(0),
                sorted.get(sorted.size() - 1));
        System.out.printf("  wall time %.3f ms/report (DynamoDB Local's work included); collector pauses %.3f ms/report"
                + " (shared with DynamoDB Local)%n", wall, gc);
        System.out.printf("  DynamoDB capacity (ConsumedCapacity that DynamoDB Local returned for ReturnConsumedCapacity=TOTAL"
                + " on %d write and %d read requests): %.2f write units/report, %.3f read units/report%n",
                c.writes.sum(), c.reads.sum(), wcu, rcu);
        System.out.printf("  prices: Lambda arm64 $%.10f and x86 $%.10f per GB-second, $%.2f per million requests;"
                + " DynamoDB on-demand $%.3f per million write request units, $%.3f per million read request units"
                + " (us-east-1, since November 2024)%n", ARM_GB_SECOND, X86_GB_SECOND, PER_MILLION_REQUESTS,
                PER_MILLION_WRITE_UNITS, PER_MILLION_READ_UNITS);
        System.out.printf("  billed duration taken as the CPU time rounded up to Lambda's 1 ms: %d ms; a lower bound"
                + " (at %d MB Lambda gives %.2f of a vCPU, 1,769 MB being one, and waits on DynamoDB are billed too)%n",
                billedMs, MEMORY_MB, MEMORY_MB / 1769.0);
        double arm = 1e6 * gbSeconds * ARM_GB_SECOND;
        double x86 = 1e6 * gbSeconds * X86_GB_SECOND;
        double writes = wcu * PER_MILLION_WRITE_UNITS;
        double reads = rcu * PER_MILLION_READ_UNITS;
        System.out.printf("  per million reports, one report an invocation, %d MB: Lambda arm64 (template.yaml) $%.2f"
                + " compute + $%.2f requests; x86 would be $%.2f + $%.2f; DynamoDB $%.2f writes + $%.2f reads%n",
                MEMORY_MB, arm, PER_MILLION_REQUESTS, x86, PER_MILLION_REQUESTS, writes, reads);
        lambdaAndReads = arm + PER_MILLION_REQUESTS + reads;
        System.out.printf("  S3 for the raw report (PUT and COPY $%.2f, GET $%.2f per million): HTTPS $%.2f (one PUT),"
                + " e-mail $%.2f (SES's PUT, the function's GET and COPY)%n", PER_MILLION_S3_PUT, PER_MILLION_S3_GET,
                S3_HTTPS, S3_EMAIL);
        total("DynamoDB Local's write units", lambdaAndReads + writes);
    }

    static void total(String units, double lambdaAndDynamo) {
        System.out.printf("  total per million reports (arm64), %s: Lambda and DynamoDB at least $%.2f; with S3,"
                + " HTTPS $%.2f, e-mail $%.2f%n", units, lambdaAndDynamo, lambdaAndDynamo + S3_HTTPS,
                lambdaAndDynamo + S3_EMAIL);
    }

    /**
     * The documented rule beside DynamoDB Local's figure: a transactional write costs 2 units per KB (rounded up) of
     * each item, an update the larger of the item before and after; sizes as DynamoDB counts them (names and values
     * in UTF-8 bytes, numbers about a byte per two digits, 3 bytes per list or map and 1 per element).
     */
    /**
     * Write units by AWS's documented rule (a transaction writes each item twice, a unit per KB rounded up), from
     * the items the run stored: each report's claim, its share in each domain's partition, one update of the
     * domain's day (at the day's largest size) and the index of domains on a domain's first report of a day.
     */
    static void sizes(DynamoDbClient client, String table, int reports) {
        long claimUnits = 0;
        long claimBytes = 0;
        int claims = 0;
        long shareUnits = 0;
        long shareBytes = 0;
        int shares = 0;
        long dayMax = 0;
        int days = 0;
        for (var page : client.scanPaginator(r -> r.tableName(table))) {
            for (var item : page.items()) {
                long size = size(item);
                String pk = item.get("pk").s();
                String sk = item.get("sk").s();
                if (pk.startsWith("report#")) {
                    claims++;
                    claimBytes += size;
                    claimUnits += 2 * ((size + 1023) / 1024);
                } else if (sk.startsWith("report#")) {
                    shares++;
                    shareBytes += size;
                    shareUnits += 2 * ((size + 1023) / 1024);
                } else if (sk.startsWith("day#")) {
                    days++;
                    dayMax = Math.max(dayMax, size);
                }
            }
        }
        // the index is written with a domain's first report of a day: as many times as there are days
        double units = (double) (claimUnits + shareUnits + 2L * days) / reports + 2 * ((dayMax + 1023) / 1024);
        System.out.printf("  by the documented rule from the stored items: report claims %.0f bytes on average, %.2f units"
                + " each; domain shares %.0f bytes, %.2f units each (%d of %d reports detailed); day summaries at most"
                + " %d bytes, %d units an update; the index of domains %d times, 2 units each; %.2f units/report,"
                + " $%.2f per million reports of writes%n",
                (double) claimBytes / claims, (double) claimUnits / claims, shares == 0 ? 0 : (double) shareBytes / shares,
                shares == 0 ? 0 : (double) shareUnits / shares, shares, reports, dayMax, 2 * ((dayMax + 1023) / 1024),
                days, units, units * PER_MILLION_WRITE_UNITS);
        total("the documented rule", lambdaAndReads + units * PER_MILLION_WRITE_UNITS);
    }

    static long size(java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item) {
        long n = 0;
        for (var e : item.entrySet()) {
            n += utf8(e.getKey()) + size(e.getValue());
        }
        return n;
    }

    static long size(software.amazon.awssdk.services.dynamodb.model.AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return (v.n().replace("-", "").replace(".", "").length() + 1) / 2 + 1;
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToLong(ReportCost::utf8).sum();
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToLong(x -> 1 + size(x)).sum();
        }
        if (v.hasM()) {
            return 3 + v.m().entrySet().stream().mapToLong(e -> 1 + utf8(e.getKey()) + size(e.getValue())).sum();
        }
        return 1;
    }

    static long utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    /** Asks every write and read for its consumed capacity and adds up what the answers say. */
    static final class Capacity implements ExecutionInterceptor {
        final DoubleAdder write = new DoubleAdder();
        final DoubleAdder read = new DoubleAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder reads = new LongAdder();

        void reset() {
            write.reset();
            read.reset();
            writes.reset();
            reads.reset();
        }

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            SdkRequest r = context.request();
            if (r instanceof TransactWriteItemsRequest t) {
                return t.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (r instanceof PutItemRequest p) {
                return p.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (r instanceof UpdateItemRequest u) {
                return u.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (r instanceof GetItemRequest g) {
                return g.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            return r;
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            SdkResponse r = context.response();
            if (r instanceof TransactWriteItemsResponse t) {
                writes.increment();
                if (!t.hasConsumedCapacity() || t.consumedCapacity().isEmpty()) {
                    throw new IllegalStateException("DynamoDB Local returned no ConsumedCapacity for TransactWriteItems");
                }
                t.consumedCapacity().forEach(c -> write.add(units(c)));
            } else if (r instanceof PutItemResponse p) {
                writes.increment();
                write.add(units(p.consumedCapacity()));
            } else if (r instanceof UpdateItemResponse u) {
                writes.increment();
                write.add(units(u.consumedCapacity()));
            } else if (r instanceof GetItemResponse g) {
                reads.increment();
                read.add(units(g.consumedCapacity()));
            }
        }

        private static double units(ConsumedCapacity c) {
            if (c == null) {
                throw new IllegalStateException("DynamoDB Local returned no ConsumedCapacity");
            }
            return c.capacityUnits() == null ? 0 : c.capacityUnits();
        }
    }
}
