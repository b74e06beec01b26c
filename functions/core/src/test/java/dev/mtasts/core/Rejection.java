package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Shared by the tables: a rejection is judged by the problems a user would read, not by exception internals. */
final class Rejection {
    private Rejection() {
    }

    static List<String> problems(Executable parse) {
        return assertThrows(InvalidException.class, parse).problems().stream().map(Problem::toString).toList();
    }

    static String message(Executable parse) {
        return String.join("; ", problems(parse));
    }
}
