package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Core is in every function's jar and the functions see only A-labels: it never touches java.net.IDN (IDNA2003,
 * which maps "faß.de" to another domain, and 20 ms of a cold start) nor ICU4J (the command-line tool's IDNA2008).
 */
class CoreDependenciesTest {

    @ParameterizedTest
    @ValueSource(strings = {"java/net/IDN", "com/ibm/icu/"})
    void noClassOfCoreRefersTo(String name) throws IOException, URISyntaxException {
        Path classes = Path.of(Policy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(classes)) {
            List<String> using = files.filter(f -> f.toString().endsWith(".class"))
                    .filter(f -> refersTo(f, name))
                    .map(f -> classes.relativize(f).toString())
                    .toList();
            assertEquals(List.of(), using);
        }
    }

    /** A class names every class it uses in its constant pool, as a UTF-8 string. */
    private static boolean refersTo(Path classFile, String name) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
