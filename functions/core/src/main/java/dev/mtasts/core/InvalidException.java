package dev.mtasts.core;

import java.util.List;
import java.util.stream.Collectors;

/** Raised by every parser in this package; carries all problems found, not just the first. */
public final class InvalidException extends Exception {
    private final List<Problem> problems;

    public InvalidException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")), null, false, false);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidException(Problem problem) {
        this(List.of(problem));
    }

    public InvalidException(String message) {
        this(Problem.whole(message));
    }

    public List<Problem> problems() {
        return problems;
    }
}
