package dev.mtasts.bench;

import dev.mtasts.core.DomainName;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A domain row read straight from DynamoDB, as the policy function reads it (strongly consistent GetItem), by
 * several threads at once: what each policy request of the local stack costs before the HTTP server's part.
 * Usage: {@code GetItemLatency ENDPOINT DOMAIN THREADS SECONDS}.
 */
public final class GetItemLatency {
    public static void main(String[] args) throws Exception {
        DomainStore store = new DomainStore(Dynamo.create(URI.create(args[0]), null), DomainStore.DEFAULT_TABLE);
        DomainName domain = DomainName.parse(args[1]);
        int threads = Integer.parseInt(args[2]);
        long millis = Long.parseLong(args[3]) * 1000;
        run(store, domain, 8, 3000); // warm (8 threads, for more calls): compiled code, pooled connections, as serve is after its warm-up
        long[] ns = run(store, domain, threads, millis);
        double seconds = millis / 1e3;
        System.out.printf("GetItem: %d in %.1f s (%.0f/s), p50 %.2f ms, p99 %.2f ms%n", ns.length, seconds,
                ns.length / seconds, ns[ns.length / 2] / 1e6, ns[(int) (ns.length * 0.99)] / 1e6);
        System.exit(0);
    }

    /** Each read's time, sorted. */
    static long[] run(DomainStore store, DomainName domain, int threads, long millis) throws InterruptedException {
        List<Long> all = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + millis * 1_000_000;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    if (store.find(domain).isEmpty()) {
                        throw new IllegalStateException("no row for " + domain);
                    }
                    mine.add(System.nanoTime() - s);
                }
                all.addAll(mine);
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        return all.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
