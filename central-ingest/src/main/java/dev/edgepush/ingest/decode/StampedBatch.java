package dev.edgepush.ingest.decode;

import java.util.List;

/**
 * One request's data, validated and stamped with its robot, ready for the WAL: per (shard, lane) a
 * serialized remote-write 1.0 WriteRequest. Not reference-counted (plain arrays).
 *
 * @param shards one entry per (shard, lane), at index {@code shard * lanes + lane} (with one lane:
 *     one entry per shard, in shard order); an entry may hold no series
 * @param samples float samples in the request
 * @param histograms native histogram samples in the request
 * @param exemplars exemplars in the request
 * @param tooOld float samples older than the storage keeps ({@link SampleTimes}), included in {@code samples}
 * @param tooNew float samples further ahead than the storage takes, included in {@code samples}
 */
public record StampedBatch(
        List<ShardPart> shards, long samples, long histograms, long exemplars, long tooOld, long tooNew) {
    public StampedBatch(List<ShardPart> shards, long samples, long histograms, long exemplars) {
        this(shards, samples, histograms, exemplars, 0, 0);
    }

    /**
     * @param writeRequest serialized WriteRequest in {@code [0, length)}
     * @param points samples plus histogram samples in it, as the WAL counts them
     */
    public record ShardPart(byte[] writeRequest, int length, int points) {}

    public long points() {
        return samples + histograms;
    }
}
