package dev.edgepush.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.edgepush.proto.rw1.RemoteWrite;

/**
 * Any bytes as a remote-write 1.0 body, checked against protobuf-java's generated parser: where
 * the generated parser reads the bytes, {@link WriteRequestDecoder} counts the same samples; where
 * it does not, the decoder may count (it skips UTF-8 checks and sample contents) or throw {@link
 * IllegalArgumentException}, and nothing else escapes (no IndexOutOfBounds, StackOverflow, OOM).
 * {@code ./mvnw test} runs the seeds in {@code WriteRequestDecoderFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class WriteRequestDecoderFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void countsWhatProtobufJavaReads(byte[] body) {
        RemoteWrite.WriteRequest parsed = null;
        try {
            parsed = RemoteWrite.WriteRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException notAWriteRequest) {
            // the decoder may still count: it checks less
        }
        int counted;
        try {
            counted = WriteRequestDecoder.countSamples(body, 0, body.length);
        } catch (IllegalArgumentException rejected) {
            if (parsed != null) {
                throw new AssertionError("protobuf-java reads it, the decoder refuses it: " + rejected.getMessage());
            }
            return;
        }
        if (parsed != null) {
            int want = parsed.getTimeseriesList().stream()
                    .mapToInt(RemoteWrite.TimeSeries::getSamplesCount)
                    .sum();
            assertEquals(want, counted);
        }
    }
}
