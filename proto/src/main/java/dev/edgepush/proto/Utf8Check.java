package dev.edgepush.proto;

import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether a body is valid UTF-8, as Prometheus text and remote write require: decoding it with
 * replacement would store U+FFFD in place of the bytes sent and answer as if nothing were wrong.
 * The check is protobuf's {@code ByteString.isValidUtf8} (what its parsers use on proto3 strings); the
 * position of the first bad byte is only looked for when there is one.
 */
public final class Utf8Check {
    private Utf8Check() {}

    /**
     * Null when {@code b[off, off + len)} is valid UTF-8; otherwise a message naming the first bad
     * byte's offset and line (1-based), e.g. "invalid UTF-8 at byte 17 (line 2)".
     */
    public static String problem(byte[] b, int off, int len) {
        if (UnsafeByteOperations.unsafeWrap(b, off, len).isValidUtf8()) { // no copy
            return null;
        }
        CharsetDecoder dec = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        CharBuffer out = CharBuffer.allocate(8192);
        int bad = len; // a sequence cut short at the end
        while (true) {
            CoderResult r = dec.decode(in, out, true);
            if (r.isError()) {
                bad = in.position() - off;
                break;
            }
            if (!r.isOverflow()) {
                break;
            }
            out.clear();
        }
        int line = 1;
        for (int i = 0; i < bad; i++) {
            if (b[off + i] == '\n') {
                line++;
            }
        }
        return "invalid UTF-8 at byte " + bad + " (line " + line + ")";
    }
}
