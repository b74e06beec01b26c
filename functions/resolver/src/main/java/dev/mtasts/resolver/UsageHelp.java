package dev.mtasts.resolver;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * picocli's usage help, its lines broken at spaces only. picocli breaks them where the JDK's line BreakIterator
 * allows, which is also after a dot, a slash or a comma: {@code (default: .} / {@code mta-sts/reports)}, {@code
 * domains.} / {@code json}, splitting the file names, addresses and defaults a reader copies. Here a word is what
 * lies between spaces; one too long for its column keeps a line of its own. For {@code mta-sts} and the resolver
 * ({@code cl.setHelpFactory(UsageHelp::new)}).
 */
public final class UsageHelp extends Help {
    public UsageHelp(CommandSpec command, ColorScheme colors) {
        super(command, colors);
    }

    /** The option and parameter lists. */
    @Override
    public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme colors) {
        TextTable columns = TextTable.forDefaultColumns(colors, calcLongOptionColumnWidth(options, positionals, colors),
                width());
        return new Layout(colors, new AtSpaces(colors, columns.columns()), createDefaultOptionRenderer(),
                createDefaultParameterRenderer());
    }

    /** The synopsis: the command name, then its options, wrapped lines indented past the name. */
    @Override
    protected String insertSynopsisCommandName(int headingLength, Ansi.Text details) {
        String name = commandSpec().qualifiedName();
        int indent = headingLength + name.length() + 1;
        UsageMessageSpec usage = commandSpec().usageMessage();
        if (indent > usage.synopsisAutoIndentThreshold() * width()) { // a long name: as picocli does
            indent = Math.min(usage.synopsisIndent() < 0 ? headingLength : usage.synopsisIndent(), (int) (0.9 * width()));
        }
        TextTable table = new AtSpaces(colorScheme(), new Column(width(), 0, Column.Overflow.WRAP));
        table.indentWrappedLines = indent;
        // the heading ("Usage: ") is printed before this: its room is held by a word cut off again
        table.addRowValues(colorScheme().text("x".repeat(headingLength)).concat(colorScheme().commandText(name))
                .concat(details));
        return table.toString().substring(headingLength);
    }

    @Override
    public String description(Object... params) {
        return lines(commandSpec().usageMessage().description(), params);
    }

    @Override
    public String header(Object... params) {
        return lines(commandSpec().usageMessage().header(), params);
    }

    @Override
    public String footer(Object... params) {
        return lines(commandSpec().usageMessage().footer(), params);
    }

    /** The subcommands, each with the first line of its header or description, as picocli lists them. */
    @Override
    public String commandList(Map<String, Help> subcommands) {
        if (subcommands.isEmpty()) {
            return "";
        }
        int nameWidth = Math.min(subcommands.keySet().stream().mapToInt(String::length).max().orElse(0), width() / 2);
        TextTable table = new AtSpaces(colorScheme(), new Column(nameWidth + 2, 2, Column.Overflow.SPAN),
                new Column(width() - (nameWidth + 2), 2, Column.Overflow.WRAP));
        for (Help help : subcommands.values()) {
            String[] header = help.commandSpec().usageMessage().header();
            String[] description = help.commandSpec().usageMessage().description();
            String first = header.length > 0 && !header[0].isBlank() ? header[0]
                    : description.length > 0 ? description[0] : "";
            Ansi.Text[] lines = colorScheme().text(format(first)).splitLines();
            for (int i = 0; i < lines.length; i++) {
                table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
            }
        }
        return table.toString();
    }

    private int width() {
        return commandSpec().usageMessage().width();
    }

    /** Each line of a section, wrapped to the width, wrapped lines not indented (as picocli's own sections are). */
    private String lines(String[] values, Object... params) {
        if (values == null || values.length == 0) {
            return "";
        }
        TextTable table = new AtSpaces(colorScheme(), new Column(width(), 0, Column.Overflow.WRAP));
        table.indentWrappedLines = 0;
        for (String value : values) {
            table.addRowValues(colorScheme().text(format(value, params)));
        }
        return table.toString();
    }

    /** As picocli formats a help text: a format string ({@code %n} a line break), else the text as it is. */
    private static String format(String text, Object... params) {
        try {
            return text == null ? "" : String.format(text, params);
        } catch (java.util.IllegalFormatException notAFormat) {
            return text;
        }
    }

    /** A table whose wrapping columns break lines at spaces, each piece handed to picocli fitting its line. */
    static final class AtSpaces extends TextTable {
        private final ColorScheme colors;

        AtSpaces(ColorScheme colors, Column... columns) {
            super(colors, columns);
            this.colors = colors;
        }

        @Override
        public Cell putValue(int row, int col, Ansi.Text value) {
            Column column = columns()[col];
            if (column.overflow != Column.Overflow.WRAP || value == null) {
                return super.putValue(row, col, value);
            }
            String plain = value.plainString();
            Cell last = new Cell(col, row);
            int start = 0;
            boolean first = true;
            while (start < plain.length()) {
                String indent = first ? "" : " ".repeat(indentWrappedLines);
                int room = column.width - column.indent - indent.length();
                int end = breakAt(plain, start, room);
                if (!first) {
                    addEmptyRow();
                    row++;
                }
                last = super.putValue(row, col, first ? value.substring(start, end)
                        : colors.text(indent).concat(value.substring(start, end)));
                row = last.row;
                first = false;
                start = end;
                while (start < plain.length() && plain.charAt(start) == ' ') {
                    start++; // the space a line was broken at is not carried to the next
                }
            }
            return last;
        }

        /** Where the line from {@code start} ends: after the last word that fits in {@code room}, else its first. */
        static int breakAt(String text, int start, int room) {
            if (text.length() - start <= room) {
                return text.length();
            }
            int end = text.lastIndexOf(' ', start + room);
            if (end > start) {
                return end;
            }
            end = text.indexOf(' ', start);
            return end < 0 ? text.length() : end;
        }
    }
}
