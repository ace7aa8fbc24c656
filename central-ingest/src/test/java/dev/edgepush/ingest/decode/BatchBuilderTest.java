package dev.edgepush.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepush.proto.rw1.RemoteWrite;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBuilderTest {

    static RemoteWrite.WriteRequest shard(StampedBatch batch, int shard) throws Exception {
        StampedBatch.ShardPart p = batch.shards().get(shard);
        return RemoteWrite.WriteRequest.parseFrom(Arrays.copyOf(p.writeRequest(), p.length()));
    }

    static List<String> labels(RemoteWrite.TimeSeries ts) {
        return ts.getLabelsList().stream()
                .map(l -> l.getName() + "=" + l.getValue())
                .toList();
    }

    @Test
    void aSeriesSamplesAreWrittenAsOneTimeSeriesWithItsLabelsOnce() throws Exception {
        BatchBuilder b = new BatchBuilder("r1", 1);
        b.beginSeries(0, new String[] {"job", "j", "__name__", "a"}, 2);
        for (int i = 0; i < 4; i++) {
            b.sample(i + 0.5, 1000L * i);
        }
        b.beginSeries(1, new String[] {"__name__", "b"}, 1);
        b.sample(7, 7000);
        b.beginSeries(2, new String[] {"__name__", "no_samples"}, 1);
        StampedBatch batch = b.build();
        assertEquals(5, batch.samples());
        assertEquals(5, batch.shards().get(0).points());
        RemoteWrite.WriteRequest wr = shard(batch, 0);
        assertEquals(2, wr.getTimeseriesCount(), "a series without samples writes nothing");
        assertEquals(List.of("__name__=a", "job=j", "robot=r1"), labels(wr.getTimeseries(0)));
        assertEquals(4, wr.getTimeseries(0).getSamplesCount());
        for (int i = 0; i < 4; i++) {
            assertEquals(i + 0.5, wr.getTimeseries(0).getSamples(i).getValue());
            assertEquals(1000L * i, wr.getTimeseries(0).getSamples(i).getTimestamp());
        }
        assertEquals(List.of("__name__=b", "robot=r1"), labels(wr.getTimeseries(1)));
        assertEquals(7000, wr.getTimeseries(1).getSamples(0).getTimestamp());
    }

    @Test
    void manySamplesOfOneSeriesAndManySeriesKeepTheirOrderOnEveryShard() throws Exception {
        BatchBuilder b = new BatchBuilder("r1", 3);
        int series = 200;
        for (int s = 0; s < series; s++) {
            b.beginSeries(s, new String[] {"__name__", "m", "i", Integer.toString(s)}, 2);
            for (int k = 0; k < s % 40; k++) {
                b.sample(s * 1000 + k, k);
            }
        }
        StampedBatch batch = b.build();
        long seen = 0;
        for (int shard = 0; shard < 3; shard++) {
            for (RemoteWrite.TimeSeries ts : shard(batch, shard).getTimeseriesList()) {
                int s = Integer.parseInt(ts.getLabels(1).getValue());
                assertEquals(s % 40, ts.getSamplesCount(), "series " + s);
                for (int k = 0; k < ts.getSamplesCount(); k++) {
                    assertEquals(s * 1000 + k, ts.getSamples(k).getValue());
                }
                seen += ts.getSamplesCount();
            }
        }
        assertEquals(batch.samples(), seen);
    }
}
