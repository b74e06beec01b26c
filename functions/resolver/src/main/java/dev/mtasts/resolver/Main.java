package dev.mtasts.resolver;

import picocli.CommandLine;

/**
 * {@code java -jar resolver.jar}: the resolver alone, as its systemd unit runs it, without the command-line tool's
 * local stack, DynamoDB Local or IDNA2008 tables. {@code mta-sts resolver} runs the same command.
 */
public final class Main {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int ERROR = 2;

    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ResolverCommand()).setCommandName("mta-sts-resolver")
                .setHelpFactory(UsageHelp::new);
        System.exit(cli.execute(args));
    }
}
