package dev.mtasts.lifecycle;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stream images (the events library's attribute values) as the plain values the rest of the code reads. */
final class StreamImages {
    private StreamImages() {
    }

    static Map<String, Object> toPlain(Map<String, AttributeValue> image) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (image != null) {
            image.forEach((k, v) -> out.put(k, toPlain(v)));
        }
        return out;
    }

    static Object toPlain(AttributeValue v) {
        if (v == null || Boolean.TRUE.equals(v.getNULL())) {
            return null;
        }
        if (v.getS() != null) {
            return v.getS();
        }
        if (v.getN() != null) {
            return new BigDecimal(v.getN());
        }
        if (v.getBOOL() != null) {
            return v.getBOOL();
        }
        if (v.getL() != null) {
            List<Object> list = new ArrayList<>();
            v.getL().forEach(e -> list.add(toPlain(e)));
            return list;
        }
        if (v.getM() != null) {
            return toPlain(v.getM());
        }
        if (v.getSS() != null) {
            return new java.util.LinkedHashSet<>(v.getSS());
        }
        return null;
    }

    /** A form of a value that compares equal when DynamoDB would store the same thing (numbers by value). */
    static Object comparable(AttributeValue v) {
        Object plain = toPlain(v);
        return plain instanceof BigDecimal n ? n.stripTrailingZeros().toPlainString() : plain;
    }
}
