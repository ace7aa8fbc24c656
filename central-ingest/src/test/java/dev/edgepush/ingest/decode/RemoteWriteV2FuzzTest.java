package dev.edgepush.ingest.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as a decompressed remote-write 2.0 body: the decoder either decodes it or throws {@link
 * PayloadException} (a 400 to the robot); nothing else escapes (no IndexOutOfBounds, NPE,
 * StackOverflow, OOM). {@code ./mvnw test} runs the seeds in {@code RemoteWriteV2FuzzTestInputs/}; the
 * {@code fuzz-short} execution of {@code ./mvnw verify} fuzzes it for {@code maxDuration}, and
 * {@code deploy/testbed/bin/fuzz-long} for as long as asked. One fuzz test per class: Jazzer
 * fuzzes one per JVM.
 */
class RemoteWriteV2FuzzTest {
    @FuzzTest(maxDuration = "10s")
    void onlyPayloadErrorsEscape(byte[] body) {
        try {
            RemoteWriteV2Decoder.decode(body, new BatchBuilder("r1", 2));
        } catch (PayloadException expected) {
            // the documented failure
        }
    }
}
