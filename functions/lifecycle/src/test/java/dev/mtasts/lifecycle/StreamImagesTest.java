package dev.mtasts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stream images read as the plain values of the rest of the code. */
class StreamImagesTest {

    /** The image Lambda would deliver for an item given as plain values. */
    static Map<String, AttributeValue> toStream(Map<String, ?> plain) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        plain.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    static AttributeValue value(Object v) {
        if (v == null) {
            return new AttributeValue().withNULL(true);
        } else if (v instanceof String s) {
            return new AttributeValue().withS(s);
        } else if (v instanceof Number n) {
            return new AttributeValue().withN(n.toString());
        } else if (v instanceof Boolean b) {
            return new AttributeValue().withBOOL(b);
        } else if (v instanceof List<?> l) {
            return new AttributeValue().withL(l.stream().map(StreamImagesTest::value).toList());
        } else if (v instanceof Map<?, ?> m) {
            Map<String, AttributeValue> mm = new LinkedHashMap<>();
            m.forEach((k, e) -> mm.put(String.valueOf(k), value(e)));
            return new AttributeValue().withM(mm);
        }
        throw new IllegalArgumentException(String.valueOf(v));
    }

    @Test
    void everyTypeARowHoldsComesBackAsItWent() {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("domain", "example.com");
        item.put("max_age", new BigDecimal("86400"));
        item.put("mx", List.of("mail.example.com"));
        item.put("take_over", true);
        item.put("lifecycle", Map.of("step", "ready", "attempts", new BigDecimal(0), "announced", Map.of("id", "abc")));
        item.put("note", null);
        assertEquals(item, StreamImages.toPlain(toStream(item)));
    }
}
