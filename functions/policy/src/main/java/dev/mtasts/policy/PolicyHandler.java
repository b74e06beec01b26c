package dev.mtasts.policy;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.core.Quote;
import dev.mtasts.core.TlsRptRecord;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Items;
import dev.mtasts.store.StateStore;
import dev.mtasts.store.StoreUnavailableException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.crac.Core;
import org.crac.Resource;

/**
 * Serves {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.3) for every domain in the table,
 * behind an API Gateway HTTP API.
 *
 * <p>The domain's row and the stack's state of it are read on every request, in one request to DynamoDB (a
 * BatchGetItem, strongly consistent in both tables), and nothing is cached here, so once a row is written every
 * request serves the new body: the DNS side may announce a new id as soon as the write succeeds (§8.1). The body the
 * stack announced stays served, whatever the row becomes, until the announcement is withdrawn
 * ({@link Lifecycle#bodyToServe}).
 */
public final class PolicyHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    public static final String POLICY_PATH = "/.well-known/mta-sts.txt";
    private static final String TEXT = "text/plain; charset=utf-8";
    /**
     * The most a request waits for its domain, counted from its arrival. The client's own budget
     * ({@link Dynamo#CALL_BUDGET}) is not enough: its clock starts only once the request is built and its endpoint
     * resolved (some 150 ms of class loading on a fresh container's first call), and what blocks outside the
     * DynamoDB socket is not cut short by it: a SnapStart function's credentials come from a container endpoint
     * with timeouts of its own (a silent one held a request 6 s). So the domain is read on another thread and the
     * request waits on its own clock; a read still running then ends in the background, on the client's budget.
     */
    static final long WAIT_NANOS = Dynamo.CALL_BUDGET.toNanos();
    private static final ExecutorService READS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "policy-read");
        t.setDaemon(true);
        return t;
    });

    private final DomainStore store;

    /** Lambda entry point: one DynamoDB client per container. */
    public PolicyHandler() {
        this(System.getenv());
    }

    /** As Lambda builds it, from the environment template.yaml sets; primed before a SnapStart snapshot. */
    PolicyHandler(Map<String, String> env) {
        this(store(env));
        Core.getGlobalContext().register(this);
    }

    private static DomainStore store(Map<String, String> env) {
        String table = Optional.ofNullable(env.get(DomainStore.TABLE_ENV)).orElse(DomainStore.DEFAULT_TABLE);
        return new DomainStore(Dynamo.fromEnvironment(env), table)
                .withState(Optional.ofNullable(env.get(StateStore.TABLE_ENV)).orElse(StateStore.beside(table)));
    }

    /**
     * SnapStart: before the snapshot, answer one request end to end (a BatchGetItem of a domain that does not
     * exist), then answer for a ready {@code enforce} domain as DynamoDB returns its row and state (maps and lists
     * converted, the lifecycle read, the body chosen and rendered, its id hashed), and for one whose row was replaced
     * by a policy not checked yet (the announced body served instead), so that the classes the first real request
     * needs are loaded and initialised in the snapshot instead of on a sender's clock.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        APIGatewayV2HTTPEvent probe = APIGatewayV2HTTPEvent.builder()
                .withRawPath(POLICY_PATH)
                .withHeaders(Map.of("host", "mta-sts.snapstart-priming.invalid"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                        .build())
                .build();
        handleRequest(probe, null);
        try {
            DomainName domain = DomainName.parse("example.com");
            Policy enforce = Policy.of("enforce", List.of("mail.example.com", "*.example.net"), "604800");
            Map<String, Object> row = Map.of(DomainRow.DOMAIN, domain.toString(),
                    DomainRow.MODE, "enforce", DomainRow.MX, List.of("mail.example.com", "*.example.net"),
                    DomainRow.MAX_AGE, BigDecimal.valueOf(604800));
            Map<String, Object> state = Map.of(DomainRow.DOMAIN, domain.toString(), Lifecycle.ATTRIBUTE,
                    Lifecycle.start(Instant.EPOCH).withAccepted(enforce.id())
                            .withAnnounced(new Lifecycle.Announced(enforce.id(), enforce.render())).toPlain());
            Map<String, Object> replaced = new LinkedHashMap<>(row);
            replaced.put(DomainRow.MAX_AGE, BigDecimal.valueOf(86400));
            for (Map<String, Object> r : List.of(row, replaced)) {
                DomainView view = new DomainView(domain.value(), Items.toPlain(Items.toItem(r)),
                        Items.toPlain(Items.toItem(state)));
                if (answer(domain, view, null).getStatusCode() != 200) {
                    throw new IllegalStateException("the priming domain is served");
                }
            }
        } catch (InvalidException e) {
            throw new IllegalStateException("the priming row is valid", e);
        }
    }

    /** Nothing to rebuild: the client holds no time-bound state beyond what it refreshes itself. */
    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
    }

    public PolicyHandler(DomainStore store) {
        this.store = store;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        long arrived = System.nanoTime();
        try {
            return respond(event, context, arrived);
        } catch (RuntimeException e) {
            log(context, LogLevel.ERROR, "unexpected error: " + e);
            return text(500, "Internal error.\n");
        }
    }

    private APIGatewayV2HTTPResponse respond(APIGatewayV2HTTPEvent event, Context context, long arrived) {
        String path = event.getRawPath() != null ? event.getRawPath() : requestPath(event);
        if (TlsRptRecord.REPORT_PATH.equals(path)) {
            // POST goes to the reports function by its own route; any other method comes here (the $default route)
            APIGatewayV2HTTPResponse r = text(405, "Method not allowed: POST a TLS report (RFC 8460) here.\n");
            r.getHeaders().put("Allow", "POST");
            return r;
        }
        String host = host(event);
        DomainName domain = DomainName.ofPolicyHost(host).orElse(null);
        if (domain == null) {
            // the Host header is the client's: repeated, but never more than a line's worth of it
            return text(404, "Not found: " + (host.isEmpty() ? "this host" : Quote.cut(host, Quote.MAX))
                    + " is not an MTA-STS policy host (mta-sts.<domain>).\n");
        }
        if (!POLICY_PATH.equals(path)) {
            return text(404, "Not found: " + host + " serves only the MTA-STS policy of " + domain
                    + " at " + POLICY_PATH + " (RFC 8461).\n");
        }
        String method = method(event);
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            APIGatewayV2HTTPResponse r = text(405, "Method not allowed: use GET or HEAD.\n");
            r.getHeaders().put("Allow", "GET, HEAD");
            return r;
        }
        Optional<DomainView> found;
        try {
            found = find(domain, arrived);
        } catch (StoreUnavailableException e) {
            log(context, LogLevel.ERROR, "domain " + domain + ": " + e.getMessage());
            APIGatewayV2HTTPResponse r = text(503, "Service unavailable, try again later.\n");
            r.getHeaders().put("Retry-After", "5");
            return r;
        }
        if (found.isEmpty()) {
            return text(404, "Not found: no MTA-STS policy is published for " + domain + ".\n");
        }
        return answer(domain, found.get(), context);
    }

    /**
     * The answer for a domain as the tables hold it. Whatever the row is (gone, empty, invalid), the policy the stack
     * announced is served while its id is published.
     */
    private APIGatewayV2HTTPResponse answer(DomainName domain, DomainView view, Context context) {
        Lifecycle lc = view.lifecycle();
        String announced = Lifecycle.bodyToServe(null, lc);
        if (view.rowDeleted() || DomainRow.unseeded(view.row())) {
            if (announced != null) {
                log(context, LogLevel.WARN, "domain " + domain + ": " + (view.rowDeleted() ? "the row is deleted"
                        : "the row holds no policy") + "; serving the announced policy until it is withdrawn");
                return served(announced);
            }
            return text(404, view.rowDeleted() ? "Not found: no MTA-STS policy is published for " + domain + ".\n"
                    : "Not found: the policy of " + domain + " is not set up yet.\n");
        }
        DomainRow row;
        try {
            row = DomainRow.parse(view.row());
        } catch (InvalidException e) {
            log(context, LogLevel.ERROR, "domain " + domain + ": invalid row, not served: " + e.getMessage()
                    + (announced == null ? "" : "; serving the announced policy instead"));
            return announced == null ? text(500, "Internal error.\n") : served(announced);
        }
        String body = Lifecycle.bodyToServe(row.policy(), lc);
        if (body == null) {
            log(context, LogLevel.WARN, "domain " + domain + ": the enforce policy " + row.policy().id()
                    + " is not served before it has passed the MX check, and nothing else is announced");
            return text(404, "Not found: the policy of " + domain + " is being checked; it is served once it has passed.\n");
        }
        if (!body.equals(row.policy().render())) {
            log(context, LogLevel.WARN, "domain " + domain + ": serving the announced policy until the enforce policy "
                    + row.policy().id() + " has passed the MX check");
        }
        return served(body);
    }

    /**
     * 200 with a policy. HEAD gets the GET's answer: API Gateway (and the local gateway) send its headers,
     * Content-Length included, and drop the body.
     */
    private static APIGatewayV2HTTPResponse served(String body) {
        APIGatewayV2HTTPResponse r = text(200, body);
        r.getHeaders().put("Cache-Control", "no-cache");
        return r;
    }

    /** The domain, or StoreUnavailableException once {@link #WAIT_NANOS} have passed since the request arrived. */
    private Optional<DomainView> find(DomainName domain, long arrived) {
        Future<Optional<DomainView>> read = READS.submit(() -> store.view(domain.value()));
        try {
            return read.get(WAIT_NANOS - (System.nanoTime() - arrived), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("DynamoDB unreachable: no answer in "
                    + Dynamo.CALL_BUDGET.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("DynamoDB read interrupted", e);
        }
    }

    /**
     * The host the client asked for: the Host header (sam local sets {@code requestContext.domainName} to
     * {@code localhost}), else the custom domain API Gateway saw; port removed, lower case.
     */
    static String host(APIGatewayV2HTTPEvent event) {
        String host = null;
        if (event.getHeaders() != null) {
            for (Map.Entry<String, String> h : event.getHeaders().entrySet()) {
                if ("host".equalsIgnoreCase(h.getKey())) {
                    host = h.getValue();
                    break;
                }
            }
        }
        if ((host == null || host.isBlank()) && event.getRequestContext() != null) {
            host = event.getRequestContext().getDomainName();
        }
        if (host == null) {
            return "";
        }
        host = host.strip().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            return host; // an IPv6 literal is never a policy host
        }
        int colon = host.lastIndexOf(':');
        return colon >= 0 ? host.substring(0, colon) : host;
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        var ctx = event.getRequestContext();
        String m = ctx != null && ctx.getHttp() != null ? ctx.getHttp().getMethod() : null;
        return m == null ? "" : m.toUpperCase(Locale.ROOT);
    }

    private static String requestPath(APIGatewayV2HTTPEvent event) {
        var ctx = event.getRequestContext();
        return ctx != null && ctx.getHttp() != null ? ctx.getHttp().getPath() : null;
    }

    private static APIGatewayV2HTTPResponse text(int status, String body) {
        APIGatewayV2HTTPResponse r = new APIGatewayV2HTTPResponse();
        r.setStatusCode(status);
        r.setHeaders(new java.util.LinkedHashMap<>(Map.of("Content-Type", TEXT)));
        r.setBody(body);
        r.setIsBase64Encoded(false);
        return r;
    }

}
