package dev.edgepush.proto.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sample values and timestamps, as Go's ParseFloat / ParseInt would read them. */
class ExpositionParserValueTest {

    private static double value(String token) throws ExpositionParseException {
        return Recorder.parse("m " + token + "\n", ExpositionFormat.PROMETHEUS_TEXT)
                .values
                .get(0);
    }

    private static long timestamp(String token) throws ExpositionParseException {
        return Recorder.parse("m 1 " + token + "\n", ExpositionFormat.PROMETHEUS_TEXT)
                .timestamps
                .get(0);
    }

    private static double direct(String token) {
        byte[] b = token.getBytes(StandardCharsets.US_ASCII);
        return NumberParser.parseValue(b, 0, b.length);
    }

    @Test
    void plainIntegersAndDecimalsParseExactly() throws Exception {
        assertEquals(0.0, value("0"));
        assertEquals(42.0, value("42"));
        assertEquals(-3.25, value("-3.25"));
        assertEquals(0.1, value("0.1"));
        assertEquals(0.5, value(".5"));
        assertEquals(5.0, value("5."));
        assertEquals(1.7560473e7, value("17560473"));
    }

    @Test
    void leadingPlusIsAccepted() throws Exception {
        assertEquals(7.5, value("+7.5"));
    }

    @Test
    void negativeZeroKeepsItsSign() throws Exception {
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(value("-0.0")));
    }

    @Test
    void nanAndInfinitiesParseInAllGoSpellings() throws Exception {
        assertTrue(Double.isNaN(value("NaN")));
        assertTrue(Double.isNaN(value("nan")));
        assertEquals(Double.POSITIVE_INFINITY, value("+Inf"));
        assertEquals(Double.POSITIVE_INFINITY, value("Inf"));
        assertEquals(Double.POSITIVE_INFINITY, value("inf"));
        assertEquals(Double.POSITIVE_INFINITY, value("+Infinity"));
        assertEquals(Double.NEGATIVE_INFINITY, value("-Inf"));
        assertEquals(Double.NEGATIVE_INFINITY, value("-infinity"));
    }

    @Test
    void exponentFormsParse() throws Exception {
        assertEquals(1.5e-3, value("1.5e-3"));
        assertEquals(1e3, value("1E3"));
        assertEquals(1.7560473e7, value("1.7560473e+07"));
        assertEquals(1e22, value("1e22"));
        assertEquals(1e23, value("1e23"));
    }

    @Test
    void extremeMagnitudesParseAndUnderflowIsNotAnError() throws Exception {
        assertEquals(1e308, value("1e+308"));
        assertEquals(Double.MAX_VALUE, value("1.7976931348623157e308"));
        assertEquals(4.9e-324, value("4.9e-324"));
        assertEquals(Double.MIN_NORMAL, value("2.2250738585072014E-308"));
        assertEquals(0.0, value("1e-400"));
    }

    @Test
    void hexFloatsParseAsGoParsesThem() throws Exception {
        assertEquals(0.25, value("0x1p-2"));
        assertEquals(3.0, value("0X1.8P1"));
        assertEquals(-255.0, value("-0xffp0"));
    }

    @Test
    void manySignificantDigitsRoundCorrectly() throws Exception {
        assertEquals(0.30000000000000004, value("0.30000000000000004"));
        assertEquals(123456789012345678901234567890.0, value("123456789012345678901234567890"));
        assertEquals(9007199254740993.0, value("9007199254740993"));
        assertEquals(1.0, value("1.00000000000000000000000000001"));
    }

    @Test
    void fastPathAgreesWithDoubleParseDouble() {
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String s;
            switch (i % 4) {
                case 0:
                    s = Long.toString(rnd.nextLong() % 10_000_000_000L);
                    break;
                case 1:
                    s = Double.toString(rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20));
                    break;
                case 2:
                    s = (rnd.nextInt(2_000_000) - 1_000_000) + "." + rnd.nextInt(1_000_000);
                    break;
                default:
                    s = rnd.nextInt(100_000) + "e" + (rnd.nextInt(60) - 30);
                    break;
            }
            assertEquals(Double.parseDouble(s), direct(s), s);
        }
    }

    @Test
    void malformedNumbersAreRejected() {
        for (String bad : new String[] {
            "", "+", "-", ".", "e5", "1e", "1e+", "1..2", "1.2.3", "0x", "0x1", "0xp1", "0x1p", "1_000", "1f", "1d",
            "NaNa", "-nan", "Info", "1 "
        }) {
            assertThrows(NumberFormatException.class, () -> direct(bad), bad);
        }
    }

    @Test
    void timestampsAreInt64MillisAndMayBeNegative() throws Exception {
        assertEquals(1395066363000L, timestamp("1395066363000"));
        assertEquals(-1L, timestamp("-1"));
        assertEquals(5L, timestamp("+5"));
        assertEquals(Long.MAX_VALUE, timestamp("9223372036854775807"));
        assertEquals(Long.MIN_VALUE + 1, timestamp("-9223372036854775807"));
    }

    @Test
    void missingTimestampIsLongMinValue() throws Exception {
        assertEquals(Long.MIN_VALUE, timestamp(""));
    }

    @Test
    void openMetricsSecondsConvertExactlyAndRejectNonDecimals() {
        assertEquals(1520879607789L, seconds("1520879607.789"));
        assertEquals(1520879607789L, seconds("1520879607.7890000001"));
        assertEquals(-500L, seconds("-.5"));
        assertEquals(0L, seconds("0"));
        assertEquals(1000L, seconds("0.9995"));
        assertEquals(123_000_000_000_000_000L, seconds("123000000000000"));
        assertEquals(1234567890123456000L, seconds("1234567890123456"));
        for (String bad : new String[] {"", ".", "+", "1e", "Inf", "NaN", "0x1p3", "1e30", "1,5"}) {
            assertThrows(NumberFormatException.class, () -> seconds(bad), bad);
        }
    }

    private static long seconds(String token) {
        byte[] b = token.getBytes(StandardCharsets.US_ASCII);
        return NumberParser.parseSecondsToMillis(b, 0, b.length);
    }
}
