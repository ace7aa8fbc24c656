package dev.edgepush.ingest.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as a decompressed request body: each decoder either decodes it or throws {@link
 * PayloadException} (a 400 to the robot); nothing else escapes (no IndexOutOfBounds, NPE,
 * StackOverflow, OOM). {@code ./mvnw test} runs the seeds in {@code DecodersFuzzTestInputs/}
 * (regression mode); {@code JAZZER_FUZZ=1} fuzzes each for {@code maxDuration}.
 */
class DecodersFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void remoteWriteV1(byte[] body) {
    try {
      RemoteWriteV1Decoder.decode(body, new BatchBuilder("r1", 2));
    } catch (PayloadException expected) {
      // the documented failure
    }
  }

  @FuzzTest(maxDuration = "10s")
  void remoteWriteV2(byte[] body) {
    try {
      RemoteWriteV2Decoder.decode(body, new BatchBuilder("r1", 2));
    } catch (PayloadException expected) {
      // the documented failure
    }
  }

  @FuzzTest(maxDuration = "10s")
  void prometheusText(byte[] body) {
    try {
      PrometheusTextDecoder.decode(body, "text/plain; version=0.0.4", 1_700_000_000_000L, new BatchBuilder("r1", 2));
    } catch (PayloadException expected) {
      // the documented failure
    }
  }
}
