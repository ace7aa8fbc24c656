package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeriesSelectorTest {

    /** selector | labels ("name=value", space-separated) | matches? */
    @ParameterizedTest
    @CsvSource(
            delimiterString = " => ",
            quoteCharacter = '%',
            value = {
                "up => __name__=up job=a => true",
                "up => __name__=upx => false",
                "up{} => __name__=up => true",
                "{} => a=1 => true",
                "{__name__=~\"node_.*\",job=\"x\"} => __name__=node_load1 job=x => true",
                "{__name__=~\"node_.*\",job=\"x\"} => __name__=node_load1 job=y => false",
                "{__name__=~\"node_.*\",job=\"x\"} => __name__=go_x job=x => false",
                "metric{label!=\"v\"} => __name__=metric label=w => true",
                "metric{label!=\"v\"} => __name__=metric label=v => false",
                "metric{label!=\"v\"} => __name__=metric => true",
                "{a!~\"1|2\"} => a=3 => true",
                "{a!~\"1|2\"} => a=2 => false",
                "{a=~\"1|2\"} => a=12 => false",
                "{a=\"\"} => b=1 => true",
                "{a=~\".+\"} => b=1 => false",
                "{ a = 'x' , b = `y\\z` , } => a=x b=y\\z => true",
                "{a=\"q\\\"t\"} => a=q\"t => true",
                "m{a=\"1\" or b=\"2\"} => __name__=m b=2 => true",
                "m{a=\"1\" or b=\"2\"} => __name__=m a=1 => true",
                "m{a=\"1\" or b=\"2\"} => __name__=m a=2 => false",
                "m{a=\"1\" or b=\"2\"} => __name__=n b=2 => false",
                "{or=\"x\"} => or=x => true",
                "ns:metric_total:rate5m => __name__=ns:metric_total:rate5m => true",
            })
    void matches(String selector, String labels, boolean expected) {
        assertEquals(
                expected,
                SeriesSelector.parse(selector).matches(RelabelerTest.labels(labels)),
                selector + " on " + labels);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{a=\"b\"",
                "{a~\"b\"}",
                "{a=\"b\"} junk",
                "{a=~\"(\"}",
                "{a=b}",
                "{9a=\"b\"}",
                "{a=\"b\" c=\"d\"}",
                "{or}",
                "{a=\"unterminated}",
                "rate(x[5m])"
            })
    void rejects(String selector) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeriesSelector.parse(selector));
        assertTrue(
                e.getMessage().startsWith("cannot parse series selector '" + selector + "' at position"),
                e.getMessage());
    }
}
