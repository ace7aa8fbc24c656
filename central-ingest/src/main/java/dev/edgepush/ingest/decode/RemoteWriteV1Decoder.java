package dev.edgepush.ingest.decode;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.edgepush.proto.rw1.RemoteWrite;

/** Remote write 1.0: a protobuf {@code prometheus.WriteRequest} into a {@link BatchBuilder}. */
public final class RemoteWriteV1Decoder {
  private RemoteWriteV1Decoder() {}

  public static void decode(byte[] body, BatchBuilder out) throws PayloadException {
    RemoteWrite.WriteRequest req;
    try {
      req = RemoteWrite.WriteRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw PayloadException.badRequest("body is not a remote-write 1.0 WriteRequest (protobuf): " + e.getMessage());
    }
    String[] pairs = new String[32];
    for (int i = 0; i < req.getTimeseriesCount(); i++) {
      RemoteWrite.TimeSeries ts = req.getTimeseries(i);
      int n = ts.getLabelsCount();
      if (pairs.length < 2 * n) {
        pairs = new String[2 * n];
      }
      for (int l = 0; l < n; l++) {
        pairs[2 * l] = ts.getLabels(l).getName();
        pairs[2 * l + 1] = ts.getLabels(l).getValue();
      }
      out.beginSeries(i, pairs, n);
      for (RemoteWrite.Sample s : ts.getSamplesList()) {
        out.sample(s.getValue(), s.getTimestamp());
      }
      out.histogramsAndExemplars(ts.getHistogramsList(), ts.getExemplarsList());
    }
  }
}
