package dev.mtasts.store;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Converts between DynamoDB attribute values and plain Java values (String, BigDecimal, Boolean, null, List, Map,
 * Set, byte[]), the form the core checks rows in.
 */
public final class Items {
    private Items() {
    }

    public static Map<String, Object> toPlain(Map<String, AttributeValue> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, toPlain(v)));
        return out;
    }

    public static Object toPlain(AttributeValue v) {
        return switch (v.type()) {
            case S -> v.s();
            case N -> new BigDecimal(v.n());
            case BOOL -> v.bool();
            case NUL -> null;
            case B -> v.b().asByteArray();
            case L -> {
                List<Object> list = new ArrayList<>(v.l().size());
                v.l().forEach(e -> list.add(toPlain(e)));
                yield list;
            }
            case M -> toPlain(v.m());
            case SS -> new LinkedHashSet<>(v.ss());
            case NS -> {
                LinkedHashSet<BigDecimal> set = new LinkedHashSet<>();
                v.ns().forEach(n -> set.add(new BigDecimal(n)));
                yield set;
            }
            case BS -> new LinkedHashSet<>(v.bs());
            case UNKNOWN_TO_SDK_VERSION -> null;
        };
    }

    public static Map<String, AttributeValue> toItem(Map<String, ?> plain) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        plain.forEach((k, v) -> out.put(k, toAttribute(v)));
        return out;
    }

    public static AttributeValue toAttribute(Object v) {
        if (v == null) {
            return AttributeValue.fromNul(true);
        } else if (v instanceof String s) {
            return AttributeValue.fromS(s);
        } else if (v instanceof Number n) {
            return AttributeValue.fromN(n instanceof BigDecimal d ? d.toPlainString() : n.toString());
        } else if (v instanceof Boolean b) {
            return AttributeValue.fromBool(b);
        } else if (v instanceof byte[] bytes) {
            return AttributeValue.fromB(SdkBytes.fromByteArray(bytes));
        } else if (v instanceof List<?> list) {
            List<AttributeValue> l = new ArrayList<>(list.size());
            list.forEach(e -> l.add(toAttribute(e)));
            return AttributeValue.fromL(l);
        } else if (v instanceof Map<?, ?> map) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            map.forEach((k, e) -> m.put(String.valueOf(k), toAttribute(e)));
            return AttributeValue.fromM(m);
        }
        throw new IllegalArgumentException("no DynamoDB type for " + v.getClass().getName());
    }
}
