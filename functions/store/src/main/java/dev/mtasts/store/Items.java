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

    /**
     * An item's size as DynamoDB counts it against its 400 KB limit: names and values in UTF-8 bytes, numbers by
     * their digits, a byte or three of overhead for booleans, nulls, lists and maps.
     */
    public static long size(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8(e.getKey()) + size(e.getValue());
        }
        return size;
    }

    private static long size(AttributeValue v) {
        return switch (v.type()) {
            case S -> utf8(v.s());
            case N -> (v.n().replaceAll("[^0-9]", "").length() + 1) / 2 + 1;
            case B -> v.b().asByteArray().length;
            case BOOL, NUL -> 1;
            case SS -> v.ss().stream().mapToLong(Items::utf8).sum();
            case NS -> v.ns().stream().mapToLong(n -> (n.length() + 1) / 2 + 1).sum();
            case BS -> v.bs().stream().mapToLong(b -> b.asByteArray().length).sum();
            case L -> 3 + v.l().stream().mapToLong(e -> 1 + size(e)).sum();
            case M -> 3 + v.m().entrySet().stream().mapToLong(e -> 1 + utf8(e.getKey()) + size(e.getValue())).sum();
            case UNKNOWN_TO_SDK_VERSION -> 0;
        };
    }

    private static long utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
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
