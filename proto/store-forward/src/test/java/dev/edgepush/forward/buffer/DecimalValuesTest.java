package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.proto.WriteRequestEncoder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DecimalValues}: exact for any bytes; the values column is what it says. */
class DecimalValuesTest {
    private static byte[] roundTrip(byte[] request) {
        byte[] split = new byte[DecimalValues.maxSplitLength(request.length)];
        int n = DecimalValues.split(request, 0, request.length, split);
        assertTrue(n <= split.length);
        byte[] copy = Arrays.copyOf(split, n);
        assertEquals(request.length, DecimalValues.join(copy, request.length, n));
        assertArrayEquals(request, Arrays.copyOf(copy, request.length));
        return Arrays.copyOf(split, n);
    }

    private static byte[] request(double... values) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        for (int i = 0; i < values.length; i++) {
            e.addSeries(new String[] {"__name__", "m", "i", Integer.toString(i)}, 2, values[i], 1_700_000_000_000L);
        }
        return e.toByteArray();
    }

    @Test
    void everyKindOfValueComesBackBitForBit() {
        double staleNaN = Double.longBitsToDouble(0x7ff0000000000002L);
        double[] values = {
            0,
            -0.0,
            1,
            -1,
            53.127,
            -53.127,
            0.1,
            1e-12,
            1.5e-13,
            123456789012.5,
            9.007199254740993e15,
            1e300,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            Double.NaN,
            staleNaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Math.PI,
            0.30000000000000004
        };
        byte[] request = request(values);
        byte[] split = roundTrip(request);
        // the structure keeps the request's layout with the values zeroed
        assertEquals(request.length + (split.length - request.length), split.length);
    }

    @Test
    void shortDecimalsTakeFewBytesInTheColumn() {
        byte[] request = request(53.127, 20, 0.5);
        byte[] split = roundTrip(request);
        // zigzag(m) << 4 | e as a varint: 53127, e=3: 3 bytes; 20, e=0: 2; 5, e=1: 2 (instead of 3 x 9)
        assertEquals(7, split.length - request.length);
    }

    @Test
    void anyBytesSplitAndJoinExactly() {
        SplittableRandom random = new SplittableRandom(16);
        for (int k = 0; k < 2000; k++) {
            byte[] b = new byte[random.nextInt(0, 400)];
            random.nextBytes(b);
            roundTrip(b);
        }
        // a real request with bytes flipped here and there: walked as far as it can be
        byte[] request = request(1.25, 2.5, 3.75, 4, 5, 6.125);
        for (int k = 0; k < 2000; k++) {
            byte[] b = request.clone();
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            roundTrip(b);
        }
    }

    @Test
    void aColumnThatDoesNotFitTheStructureIsRefused() {
        byte[] request = request(53.127, 20);
        byte[] split = new byte[DecimalValues.maxSplitLength(request.length)];
        int n = DecimalValues.split(request, 0, request.length, split);
        assertEquals(-1, DecimalValues.join(split.clone(), request.length, n - 1), "a token short");
        byte[] longer = Arrays.copyOf(split, n + 1);
        assertEquals(-1, DecimalValues.join(longer, request.length, n + 1), "a token too many");
        byte[] badToken = Arrays.copyOf(split, request.length + 1);
        badToken[request.length] = 0x0e; // exponent 14, over MAX_EXPONENT
        assertEquals(-1, DecimalValues.join(badToken, request.length, request.length + 1));
        byte[] shortEscape = Arrays.copyOf(split, request.length + 3);
        shortEscape[request.length] = 0x0f; // an escape, but 2 of its 8 bytes
        assertEquals(-1, DecimalValues.join(shortEscape, request.length, request.length + 3));
        assertEquals(-1, DecimalValues.join(split.clone(), n + 1, n), "structure longer than all");
    }
}
