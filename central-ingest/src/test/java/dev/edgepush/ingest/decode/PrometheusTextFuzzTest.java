package dev.edgepush.ingest.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as a decompressed Prometheus text import body: the decoder either decodes it or throws {@link
 * PayloadException} (a 400 to the robot); nothing else escapes (no IndexOutOfBounds, NPE,
 * StackOverflow, OOM). {@code ./mvnw test} runs the seeds in {@code PrometheusTextFuzzTestInputs/}; the
 * {@code fuzz-short} execution of {@code ./mvnw verify} fuzzes it for {@code maxDuration}, and
 * {@code deploy/testbed/bin/fuzz-long} for as long as asked. One fuzz test per class: Jazzer
 * fuzzes one per JVM.
 */
class PrometheusTextFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void onlyPayloadErrorsEscape(byte[] body) {
        try {
            PrometheusTextDecoder.decode(
                    body, "text/plain; version=0.0.4", 1_700_000_000_000L, new BatchBuilder("r1", 2));
        } catch (PayloadException expected) {
            // the documented failure
        }
    }
}
