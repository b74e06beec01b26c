package dev.mtasts.cli;

import dev.mtasts.store.StoreUnavailableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import dev.mtasts.resolver.ResolverCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mta-sts} command. Exit codes: 0 ok, 1 invalid input, 2 usage or I/O error. */
@Command(name = "mta-sts",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460) for domains served by mta-sts-serverless.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  mta-sts serve                                   run the whole stack locally",
            "  mta-sts policy lint mta-sts.txt                 check a hand-written policy",
            "  mta-sts domain add example.com                  the stack does the rest",
            "  mta-sts domain put example.com --mode enforce --mx mail.example.com",
            "  mta-sts records example.com",
            "  mta-sts check example.com --smtp                see a domain as senders see it",
            "  mta-sts resolver -c /etc/mta-sts-resolver.yml   MTA-STS for your outgoing mail",
            "  mta-sts report parse infra/samples/google.com*.json.gz",
            "  mta-sts reports --domain example.com",
            "",
            "Commands that read or write the tables talk to AWS unless given --endpoint-url;",
            "for the local stack: --endpoint-url http://127.0.0.1:8000 (no credentials).",
            "",
            "Exit codes: 0 ok, 1 invalid input (the reason is printed), 2 usage or I/O error."})
public final class Main {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int ERROR = 2;
    /** Where {@code mta-sts serve} puts DynamoDB Local, and its HTTP API, unless told otherwise. */
    static final String LOCAL_DYNAMODB = "http://127.0.0.1:8000";
    static final int LOCAL_HTTP_PORT = 8080;

    /**
     * The commands in the order help lists them. picocli models a command by reflecting over all its options, so a
     * command line is given only the command it names: a tenth of a second less at every start.
     */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> c = new LinkedHashMap<>();
        c.put("serve", ServeCommand::new);
        c.put("policy", PolicyCommand::new);
        c.put("domain", DomainCommand::new);
        c.put("records", RecordsCommand::new);
        c.put("report", ReportCommand::new);
        c.put("reports", ReportsCommand::new);
        c.put("demo", DemoCommand::new);
        c.put("provision", ProvisionCommand::new);
        c.put("check", CheckCommand::new);
        c.put("resolver", ResolverCommand::new);
        c.put("help", CommandLine.HelpCommand::new);
        return c;
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /** The whole command tree. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** What {@code args} needs: the command it names, else (help, a typo, nothing) every command. */
    public static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String named = args.length > 0 && !args[0].equals("help") && COMMANDS.containsKey(args[0]) ? args[0] : null;
        COMMANDS.forEach((name, command) -> {
            if (named == null || named.equals(name)) {
                cl.addSubcommand(name, command.get());
            }
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("mta-sts: " + oneLine(e, endpoint(parseResult)));
            return ERROR;
        });
        // a mistake on the command line is one line saying what is wrong, not the whole usage
        cl.setParameterExceptionHandler((e, args2) -> {
            CommandLine cmd = e.getCommandLine();
            if (e instanceof CommandLine.UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                List<String> like = u.getSuggestions();
                cmd.getErr().println("mta-sts: unknown command \"" + u.getUnmatched().get(0) + "\""
                        + (like.isEmpty() ? "" : " (did you mean \"" + like.get(0) + "\"?)"));
                cmd.getErr().println("See: " + cmd.getCommandSpec().qualifiedName() + " --help");
                return ERROR;
            }
            cmd.getErr().println("mta-sts: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr())) {
                cmd.getErr().println("See: " + cmd.getCommandSpec().qualifiedName() + " --help");
            }
            return ERROR;
        });
        cl.registerConverter(java.net.URI.class, Main::url);
        cl.setHelpFactory(dev.mtasts.resolver.UsageHelp::new); // lines broken at spaces, not inside file names
        return cl;
    }

    /** The {@code --endpoint-url} the command was given, or null. */
    private static java.net.URI endpoint(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult command = parseResult;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        return command.hasMatchedOption("--endpoint-url") ? command.matchedOptionValue("--endpoint-url", null) : null;
    }

    static String oneLine(Exception e) {
        return oneLine(e, null);
    }

    /**
     * What went wrong, in one line of our words: no SDK provider chains, no class names where a sentence will do.
     *
     * @param endpoint the {@code --endpoint-url} given, or null
     */
    static String oneLine(Exception e, java.net.URI endpoint) {
        if (e instanceof StoreUnavailableException) {
            return e.getMessage() + " (is the endpoint right? for the local stack: mta-sts serve)";
        }
        if (e instanceof software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException) {
            return "table not found (check --table/--reports-table, --region and --endpoint-url)";
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof software.amazon.awssdk.core.exception.SdkClientException && message.startsWith("Unable to load region")) {
            return "no AWS region: pass --region or set AWS_REGION (for the local stack: --endpoint-url http://127.0.0.1:8000)";
        }
        if (e instanceof software.amazon.awssdk.core.exception.SdkClientException && message.startsWith("Unable to load credentials")) {
            return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws "
                    + "configure (the local stack needs none: --endpoint-url http://127.0.0.1:8000)";
        }
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s && s.awsErrorDetails() != null
                && s.awsErrorDetails().errorCode() == null) {
            // an answer with no AWS error in it: something else listens there, often the local stack's HTTP API
            return endpoint == null ? s.awsErrorDetails().serviceName() + " answered HTTP " + s.statusCode()
                    + " with no error code"
                    : endpoint + " is not DynamoDB: it answered HTTP " + s.statusCode() + ", not as DynamoDB does. For "
                    + "the local stack, --endpoint-url is the DynamoDB Local address mta-sts serve prints (" + LOCAL_DYNAMODB
                    + " by default; " + LOCAL_HTTP_PORT + " is its HTTP API, for policies and reports)";
        }
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s && s.awsErrorDetails() != null) {
            return s.awsErrorDetails().serviceName() + " refused: " + s.awsErrorDetails().errorCode()
                    + (s.awsErrorDetails().errorMessage() == null ? "" : " (" + s.awsErrorDetails().errorMessage() + ")");
        }
        if (e instanceof software.amazon.awssdk.core.exception.SdkException) {
            int nl = message.indexOf('\n');
            return nl < 0 ? message : message.substring(0, nl);
        }
        return message.isEmpty() ? e.getClass().getSimpleName() : message;
    }

    /** {@code --endpoint-url} and the like: an http(s) URL with a host, or a usage error saying so. */
    static java.net.URI url(String value) {
        try {
            java.net.URI u = new java.net.URI(value);
            if (u.getScheme() != null && u.getScheme().matches("https?") && u.getHost() != null) {
                return u;
            }
        } catch (java.net.URISyntaxException e) {
            // said below
        }
        throw new CommandLine.TypeConversionException("must be a URL like http://127.0.0.1:8000 (got \"" + value + "\")");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mta-sts " + (v == null ? "(development build)" : v)};
        }
    }
}
