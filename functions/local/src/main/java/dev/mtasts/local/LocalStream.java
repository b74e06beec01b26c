package dev.mtasts.local;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * What Lambda's event source mapping does for the domains table's stream, on DynamoDB Local: reads the stream's
 * shards from the start and hands each batch of records to a handler as the {@link DynamodbEvent} Lambda would send.
 * On tables kept from an earlier run, the records written before this run began are that run's, handed over then:
 * they are skipped (what they asked for is in the tables, where the schedule finds it).
 */
final class LocalStream implements AutoCloseable {
    private final DynamoDbClient dynamo;
    private final DynamoDbStreamsClient streams;
    private final String table;
    private final Consumer<DynamodbEvent> handler;
    private final Thread thread;
    private final Instant notBefore;
    private volatile boolean running = true;

    LocalStream(DynamoDbClient dynamo, DynamoDbStreamsClient streams, String table, Consumer<DynamodbEvent> handler) {
        this(dynamo, streams, table, handler, null);
    }

    /** @param notBefore records written before this instant are skipped; null: none are */
    LocalStream(DynamoDbClient dynamo, DynamoDbStreamsClient streams, String table, Consumer<DynamodbEvent> handler,
            Instant notBefore) {
        // stream records carry whole seconds
        this.notBefore = notBefore == null ? null : notBefore.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        this.dynamo = dynamo;
        this.streams = streams;
        this.table = table;
        this.handler = handler;
        this.thread = new Thread(this::poll, "mta-sts-stream");
        this.thread.setDaemon(true);
    }

    LocalStream start() {
        thread.start();
        return this;
    }

    private void poll() {
        String arn = dynamo.describeTable(r -> r.tableName(table)).table().latestStreamArn();
        Map<String, String> iterators = new LinkedHashMap<>();
        List<String> finished = new ArrayList<>();
        long nextDescribe = 0;
        while (running) {
            try {
                if (System.nanoTime() >= nextDescribe) {
                    for (Shard shard : streams.describeStream(r -> r.streamArn(arn)).streamDescription().shards()) {
                        if (!iterators.containsKey(shard.shardId()) && !finished.contains(shard.shardId())) {
                            iterators.put(shard.shardId(), streams.getShardIterator(r -> r.streamArn(arn)
                                    .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
                        }
                    }
                    nextDescribe = System.nanoTime() + 5_000_000_000L;
                }
                boolean any = false;
                for (Map.Entry<String, String> e : List.copyOf(iterators.entrySet())) {
                    GetRecordsResponse page;
                    try {
                        page = streams.getRecords(r -> r.shardIterator(e.getValue()).limit(100));
                    } catch (TrimmedDataAccessException trimmed) {
                        // DynamoDB Local, when another table's stream was made after this one (serve makes the
                        // reports table second): the iterators of a shard read while it was empty are all refused
                        // once a record is written to it, and an empty table at start (no domains file) would
                        // never hand a domain added later to the lifecycle. A new iterator from the oldest record
                        // reads it; a record seen twice is taken twice, as Lambda's at-least-once delivery may.
                        iterators.put(e.getKey(), streams.getShardIterator(r -> r.streamArn(arn).shardId(e.getKey())
                                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
                        continue;
                    }
                    if (page.nextShardIterator() == null) {
                        iterators.remove(e.getKey());
                        finished.add(e.getKey());
                    } else {
                        iterators.put(e.getKey(), page.nextShardIterator());
                    }
                    List<Record> records = page.records().stream().filter(this::ofThisRun).toList();
                    any |= !page.records().isEmpty();
                    if (!records.isEmpty()) {
                        DynamodbEvent event = new DynamodbEvent();
                        event.setRecords(records.stream().map(LocalStream::record).toList());
                        handler.accept(event);
                    }
                }
                if (!any) {
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                System.err.println("mta-sts: reading the domains table's stream: " + e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private boolean ofThisRun(Record r) {
        Instant written = r.dynamodb().approximateCreationDateTime();
        return notBefore == null || written == null || !written.isBefore(notBefore);
    }

    static DynamodbEvent.DynamodbStreamRecord record(Record r) {
        DynamodbEvent.DynamodbStreamRecord out = new DynamodbEvent.DynamodbStreamRecord();
        out.setEventName(r.eventNameAsString());
        out.setEventID(r.eventID());
        out.setEventSource("aws:dynamodb");
        StreamRecord s = new StreamRecord();
        s.setKeys(image(r.dynamodb().keys()));
        s.setNewImage(r.dynamodb().hasNewImage() ? image(r.dynamodb().newImage()) : null);
        s.setOldImage(r.dynamodb().hasOldImage() ? image(r.dynamodb().oldImage()) : null);
        s.setSequenceNumber(r.dynamodb().sequenceNumber());
        if (r.dynamodb().streamViewType() != null) {
            s.setStreamViewType(com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType.fromValue(
                    r.dynamodb().streamViewTypeAsString()));
        }
        out.setDynamodb(s);
        return out;
    }

    private static Map<String, AttributeValue> image(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> in) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    private static AttributeValue value(software.amazon.awssdk.services.dynamodb.model.AttributeValue v) {
        AttributeValue a = new AttributeValue();
        switch (v.type()) {
            case S -> a.setS(v.s());
            case N -> a.setN(v.n());
            case BOOL -> a.setBOOL(v.bool());
            case NUL -> a.setNULL(true);
            case B -> a.setB(v.b().asByteBuffer());
            case SS -> a.setSS(v.ss());
            case NS -> a.setNS(v.ns());
            case BS -> a.setBS(v.bs().stream().map(b -> b.asByteBuffer()).toList());
            case L -> a.setL(v.l().stream().map(LocalStream::value).toList());
            case M -> a.setM(image(v.m()));
            default -> a.setNULL(true);
        }
        return a;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
