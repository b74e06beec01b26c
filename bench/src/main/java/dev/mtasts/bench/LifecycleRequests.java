package dev.mtasts.bench;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Policy;
import dev.mtasts.lifecycle.LifecycleScheduleHandler;
import dev.mtasts.lifecycle.LifecycleStack;
import dev.mtasts.lifecycle.Runner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the domain lifecycle asks of AWS (Route53, ACM, API Gateway v2 on moto_server, every request counted): one
 * domain added until ready, a policy change, a schedule run with every domain at rest, a retirement and removal,
 * and many domains added at once. AWS bills none of these per request, but Route53 allows five requests a second
 * per account, so the counts are what decides how fast a large migration goes.
 */
public final class LifecycleRequests {
    public static void main(String[] args) throws Exception {
        int bulk = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        try (LifecycleStack stack = new LifecycleStack()) {
            System.out.println("Lifecycle AWS requests (moto_server: Route53, ACM, API Gateway v2; each request counted)");
            stack.zone("add.example", "mx1.add.example", "mx2.add.example");
            stack.takeCalls();
            stack.store.add(name("add.example"));
            print("domain add -> ready", stack.advance("add.example").state(), stack.takeCalls(), 1);

            stack.store.put(new DomainRow(name("add.example"),
                    policy("enforce", List.of("mx1.add.example", "mx2.add.example"), 604800)));
            stack.takeCalls();
            print("testing -> enforce", stack.advance("add.example").state(), stack.takeCalls(), 1);

            stack.store.put(new DomainRow(name("add.example"), policy("none", List.of(), 86400)));
            stack.takeCalls();
            print("retire (mode none)", stack.advance("add.example").state(), stack.takeCalls(), 1);

            stack.store.setWish(name("add.example"), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
            stack.takeCalls();
            print("remove", stack.advance("add.example").state(), stack.takeCalls(), 1);

            List<String> domains = new ArrayList<>();
            for (int i = 0; i < bulk; i++) {
                String d = "bulk" + i + ".example";
                stack.zone(d, "mx." + d);
                domains.add(d);
                stack.store.add(name(d));
            }
            stack.takeCalls();
            LifecycleScheduleHandler schedule = new LifecycleScheduleHandler(stack.store,
                    new Runner(stack.lifecycle, stack.clock), stack.clock);
            long t0 = System.nanoTime();
            int runs = 0;
            long ready;
            do {
                schedule.handleRequest(Map.of(), null);
                runs++;
                ready = domains.stream().filter(d -> "ready".equals(stack.lifecycleOf(d).state())).count();
            } while (ready < bulk && runs < 10);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            print(bulk + " domains at once", ready + " ready in " + runs + " schedule run(s), " + ms + " ms",
                    stack.takeCalls(), bulk);

            schedule.handleRequest(Map.of(), null);
            print("schedule run, all at rest", bulk + " domains", stack.takeCalls(), bulk);
        }
        // DynamoDB Local leaves a non-daemon worker behind
        System.exit(0);
    }

    static void print(String what, String outcome, Map<String, Integer> calls, int domains) {
        int total = calls.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> byService = new java.util.TreeMap<>();
        calls.forEach((k, v) -> byService.merge(k.split(" ")[0], v, Integer::sum));
        System.out.printf("   %-27s %-40s %5d requests%s  %s%n", what, "(" + outcome + ")", total,
                domains > 1 ? String.format(" (%.1f a domain)", total / (double) domains) : "", byService);
    }

    static DomainName name(String d) throws InvalidException {
        return DomainName.parse(d);
    }

    static Policy policy(String mode, List<String> mx, long maxAge) throws InvalidException {
        return Policy.of(mode, mx, Long.toString(maxAge));
    }
}
