package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Plain values survive the trip to attribute values and back; this is how seed files reach the table. */
class ItemsTest {
    static Stream<Arguments> values() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", "x");
        nested.put("b", null);
        return Stream.of(
                Arguments.of("string", "example.com", AttributeValue.fromS("example.com")),
                Arguments.of("number", new BigDecimal("604800"), AttributeValue.fromN("604800")),
                Arguments.of("boolean", true, AttributeValue.fromBool(true)),
                Arguments.of("null", null, AttributeValue.fromNul(true)),
                Arguments.of("list", List.of("a", new BigDecimal(1)),
                        AttributeValue.fromL(List.of(AttributeValue.fromS("a"), AttributeValue.fromN("1")))),
                Arguments.of("map", nested, AttributeValue.fromM(Map.of(
                        "a", AttributeValue.fromS("x"), "b", AttributeValue.fromNul(true)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void roundTrip(String name, Object plain, AttributeValue attribute) {
        assertEquals(attribute, Items.toAttribute(plain));
        Object back = Items.toPlain(attribute);
        assertEquals(plain instanceof byte[] b ? Arrays.toString(b) : plain, back);
    }
}
