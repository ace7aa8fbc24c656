package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every action, table-driven. The cases restate documented behaviour of vmagent (docs.victoriametrics.com
 * "relabeling" and the relabeling cookbook) and Prometheus' relabel_config, written from memory; cases
 * where vmagent and Prometheus differ, or where the expectation is less certain, say so.
 *
 * <p>Labels are written {@code "name=value name2=value2"}; an expected {@code null} means dropped.
 */
class RelabelerTest {

    private static Arguments c(String name, String yaml, String in, String out) {
        return Arguments.of(name, yaml, in, out);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // ---- replace
                c("replace is the default action and copies a label", """
                        - source_labels: [a]
                          target_label: b
                        """, "a=1", "a=1 b=1"),
                c("replace overwrites an existing target", """
                        - source_labels: [a]
                          target_label: b
                        """, "a=1 b=2", "a=1 b=1"),
                c(
                        "replace with capture groups (host from __address__)",
                        """
                        - source_labels: [__address__]
                          regex: '([^:]+):\\d+'
                          target_label: host
                          replacement: $1
                        """,
                        "__address__=node1:9100",
                        "__address__=node1:9100 host=node1"),
                c("replace: no match leaves labels alone", """
                        - source_labels: [__address__]
                          regex: '([^:]+):\\d+'
                          target_label: host
                        """, "__address__=node1", "__address__=node1"),
                c("replace joins source labels with ';'", """
                        - source_labels: [a, b]
                          regex: '(.*);(.*)'
                          target_label: c
                          replacement: $2-$1
                        """, "a=x b=y", "a=x b=y c=y-x"),
                c("replace with a custom separator", """
                        - source_labels: [a, b]
                          separator: '/'
                          target_label: c
                        """, "a=x b=y", "a=x b=y c=x/y"),
                c("a missing source label joins as empty", """
                        - source_labels: [a, missing]
                          target_label: c
                        """, "a=x", "a=x c=x;"),
                c("replace without source_labels sets a constant", """
                        - target_label: env
                          replacement: prod
                        """, "a=1", "a=1 env=prod"),
                c("replacing with an empty value removes the label", """
                        - target_label: a
                          replacement: ''
                        """, "a=1 b=2", "b=2"),
                c("regex is anchored at both ends", """
                        - source_labels: [a]
                          regex: 'oo'
                          target_label: hit
                          replacement: yes
                        """, "a=foo", "a=foo"),
                c("leading ^ and trailing $ are harmless", """
                        - source_labels: [a]
                          regex: '^foo$'
                          target_label: hit
                          replacement: 'yes'
                        """, "a=foo", "a=foo hit=yes"),
                c("Go template: $1x is the group named '1x', so empty", """
                        - source_labels: [a]
                          regex: '(.*)'
                          target_label: b
                          replacement: '$1x'
                        """, "a=v", "a=v"),
                c("Go template: ${1}x", """
                        - source_labels: [a]
                          regex: '(.*)'
                          target_label: b
                          replacement: '${1}x'
                        """, "a=v", "a=v b=vx"),
                c("named groups (?P<name>) and ${name}", """
                        - source_labels: [__address__]
                          regex: '(?P<host_name>[^:]+):(?P<port>\\d+)'
                          target_label: port
                          replacement: '${port}@${host_name}'
                        """, "__address__=h:80", "__address__=h:80 port=80@h"),
                c("$$ is a literal dollar; a lone $ stays", """
                        - source_labels: [a]
                          regex: '(.*)'
                          target_label: b
                          replacement: '$$$1-$-${'
                        """, "a=5", "a=5 b=$5-$-${"),
                c("Go template: $_ is the group named '_', so empty", """
                        - source_labels: [a]
                          regex: '(.*)'
                          target_label: b
                          replacement: 'x$_y'
                        """, "a=5", "a=5 b=x"),
                c("a group that did not take part expands to nothing", """
                        - source_labels: [a]
                          regex: '(x)?(.*)'
                          target_label: b
                          replacement: '[$1][$2][$3]'
                        """, "a=yz", "a=yz b=[][yz][]"),
                c("target_label may use capture groups", """
                        - source_labels: [a]
                          regex: '(.+)=(.+)'
                          target_label: 'tag_$1'
                          replacement: $2
                        """, "a=color=red", "a=color=red tag_color=red"),
                c(
                        "vmagent: {{label}} in replacement",
                        """
                        - target_label: id
                          replacement: '{{job}}/{{instance}}'
                        """,
                        "job=node instance=h:1",
                        "id=node/h:1 instance=h:1 job=node"),
                c("vmagent: label values filled into replacement are not templates", """
                        - target_label: b
                          replacement: '{{a}}!'
                        """, "a=x$1", "a=x$1 b=x$1!"),
                c(
                        "vmagent: {{label}} and capture groups together",
                        """
                        - source_labels: [path]
                          regex: '/api/(\\w+)/.*'
                          target_label: route
                          replacement: '{{method}}:$1'
                        """,
                        "path=/api/users/7 method=GET",
                        "method=GET path=/api/users/7 route=GET:users"),
                c("regex given as a list is joined with |", """
                        - source_labels: [a]
                          regex: [foo, bar]
                          target_label: hit
                          replacement: 'yes'
                        """, "a=bar", "a=bar hit=yes"),
                c(
                        "vmagent: an explicit regex '.*' is the default '(.*)', so $1 is the value (Prometheus: empty)",
                        """
                        - source_labels: [a]
                          regex: '.*'
                          target_label: b
                        """,
                        "a=v",
                        "a=v b=v"),
                c("(?i) is case-insensitive", """
                        - source_labels: [a]
                          regex: '(?i)ERROR'
                          target_label: level
                          replacement: error
                        """, "a=Error", "a=Error level=error"),
                c("action is case-insensitive", """
                        - action: Replace
                          target_label: a
                          replacement: '1'
                        """, "b=2", "a=1 b=2"),
                // ---- replace_all
                c(
                        "replace_all replaces every match (cookbook: dashes to underscores)",
                        """
                        - action: replace_all
                          source_labels: [__name__]
                          target_label: __name__
                          regex: '-'
                          replacement: '_'
                        """,
                        "__name__=a-b-c",
                        "__name__=a_b_c"),
                c("replace_all with groups", """
                        - action: replace_all
                          source_labels: [path]
                          target_label: path
                          regex: '/(\\w)'
                          replacement: '.$1'
                        """, "path=/a/b", "path=.a.b"),
                c("replace_all without a match does not set the target", """
                        - action: replace_all
                          source_labels: [a]
                          target_label: b
                          regex: 'x'
                          replacement: 'y'
                        """, "a=abc", "a=abc"),
                c("replace_all: Go skips an empty match right after a match", """
                        - action: replace_all
                          source_labels: [a]
                          target_label: a
                          regex: 'x*'
                          replacement: '-'
                        """, "a=bxxc", "a=-b-c-"),
                // ---- keep / drop
                c("keep keeps on match", """
                        - action: keep
                          source_labels: [job]
                          regex: 'node|app'
                        """, "job=app", "job=app"),
                c("keep drops on mismatch", """
                        - action: keep
                          source_labels: [job]
                          regex: 'node|app'
                        """, "job=db", null),
                c("keep: a missing label is the empty string", """
                        - action: keep
                          source_labels: [env]
                          regex: ''
                        """, "job=db", "job=db"),
                c("drop drops on match (prefix regex)", """
                        - action: drop
                          source_labels: [__name__]
                          regex: 'go_.*'
                        """, "__name__=go_goroutines", null),
                c("drop keeps on mismatch", """
                        - action: drop
                          source_labels: [__name__]
                          regex: 'go_.*'
                        """, "__name__=up", "__name__=up"),
                c("drop on joined labels", """
                        - action: drop
                          source_labels: [a, b]
                          regex: 'x;y'
                        """, "a=x b=y", null),
                c("keep with only if: keeps what matches", """
                        - action: keep
                          if: '{job="a"}'
                        """, "job=a", "job=a"),
                c("keep with only if: drops what does not match (vmagent)", """
                        - action: keep
                          if: '{job="a"}'
                        """, "job=b", null),
                c("drop with only if", """
                        - action: drop
                          if: 'up{job=~"a|b"}'
                        """, "__name__=up job=b", null),
                c("keep_metrics", """
                        - action: keep_metrics
                          regex: [up, node_load1]
                        """, "__name__=node_load5", null),
                c("keep_metrics keeps a listed name", """
                        - action: keep_metrics
                          regex: 'up|node_load1'
                        """, "__name__=node_load1", "__name__=node_load1"),
                c("drop_metrics", """
                        - action: drop_metrics
                          regex: 'node_.+'
                        """, "__name__=node_load1", null),
                // ---- equality
                c("keep_if_equal keeps equal values", """
                        - action: keep_if_equal
                          source_labels: [a, b, c]
                        """, "a=1 b=1 c=1", "a=1 b=1 c=1"),
                c("keep_if_equal drops different values", """
                        - action: keep_if_equal
                          source_labels: [a, b]
                        """, "a=1 b=2", null),
                c("drop_if_equal drops equal values", """
                        - action: drop_if_equal
                          source_labels: [a, b]
                        """, "a=1 b=1", null),
                c("drop_if_equal: two missing labels are equal", """
                        - action: drop_if_equal
                          source_labels: [a, b]
                        """, "c=1", null),
                c("keepequal compares with target_label", """
                        - action: keepequal
                          source_labels: [port]
                          target_label: expected_port
                        """, "port=80 expected_port=80", "expected_port=80 port=80"),
                c("keepequal drops a difference", """
                        - action: keepequal
                          source_labels: [port]
                          target_label: expected_port
                        """, "port=80 expected_port=81", null),
                c("dropequal", """
                        - action: dropequal
                          source_labels: [port]
                          target_label: expected_port
                        """, "port=80 expected_port=80", null),
                // ---- hashmod (xxhash64: values from the cespare/xxhash vectors)
                c(
                        "hashmod: xxhash64('a') mod 10 = 5 (vmagent; Prometheus' MD5 gives another number)",
                        """
                        - action: hashmod
                          source_labels: [instance]
                          modulus: 10
                          target_label: shard
                        """,
                        "instance=a",
                        "instance=a shard=5"),
                c("hashmod: xxhash64('abc') mod 7 = 0", """
                        - action: hashmod
                          source_labels: [x]
                          modulus: 7
                          target_label: shard
                        """, "x=abc", "shard=0 x=abc"),
                c("hashmod then keep: the cookbook's sharding", """
                        - action: hashmod
                          source_labels: [instance]
                          modulus: 10
                          target_label: __tmp_hash
                        - action: keep
                          source_labels: [__tmp_hash]
                          regex: '5'
                        """, "instance=a", "__tmp_hash=5 instance=a"),
                // ---- labelmap
                c(
                        "labelmap copies matching labels under a new name",
                        """
                        - action: labelmap
                          regex: '__meta_kubernetes_pod_label_(.+)'
                        """,
                        "__meta_kubernetes_pod_label_app=web __meta_x=1",
                        "__meta_kubernetes_pod_label_app=web __meta_x=1 app=web"),
                c("labelmap with a replacement", """
                        - action: labelmap
                          regex: 'tag_(.+)'
                          replacement: 'label_$1'
                        """, "tag_a=1 tag_b=2", "label_a=1 label_b=2 tag_a=1 tag_b=2"),
                c("labelmap overwrites an existing label", """
                        - action: labelmap
                          regex: 'x_(.+)'
                        """, "x_a=new a=old", "a=new x_a=new"),
                c("labelmap_all replaces in every name", """
                        - action: labelmap_all
                          regex: '-'
                          replacement: '_'
                        """, "foo-bar-baz=1 a=2", "a=2 foo_bar_baz=1"),
                // ---- labeldrop / labelkeep
                c("labeldrop", """
                        - action: labeldrop
                          regex: 'tmp_.*|pod'
                        """, "tmp_a=1 tmp_b=2 pod=p job=j", "job=j"),
                c("labelkeep", """
                        - action: labelkeep
                          regex: '__name__|job|instance'
                        """, "__name__=up job=j instance=i pod=p", "__name__=up instance=i job=j"),
                c("labeldrop of every label drops the series", """
                        - action: labeldrop
                          regex: '.+'
                        """, "a=1", null),
                // ---- case
                c("lowercase", """
                        - action: lowercase
                          source_labels: [a]
                          target_label: a
                        """, "a=FooBAR", "a=foobar"),
                c("uppercase of joined labels into a new label", """
                        - action: uppercase
                          source_labels: [a, b]
                          target_label: c
                        """, "a=x b=y", "a=x b=y c=X;Y"),
                // ---- if
                c("if: the action applies to matching series", """
                        - if: 'up{job="a"}'
                          target_label: team
                          replacement: t1
                        """, "__name__=up job=a", "__name__=up job=a team=t1"),
                c("if: other series are left alone", """
                        - if: 'up{job="a"}'
                          target_label: team
                          replacement: t1
                        """, "__name__=up job=b", "__name__=up job=b"),
                c("if with != and !~", """
                        - if: '{job!="a", env!~"dev|test"}'
                          action: drop
                        """, "job=b env=prod", null),
                c("if: a missing label matches an empty value", """
                        - if: '{env=""}'
                          target_label: env
                          replacement: none
                        """, "job=b", "env=none job=b"),
                c("if as a list: any selector", """
                        - if:
                            - '{job="a"}'
                            - '{job="b"}'
                          action: drop
                        """, "job=b", null),
                c("if with or inside braces (MetricsQL)", """
                        - if: 'm{a="1" or b="2"}'
                          action: drop
                        """, "__name__=m b=2", null),
                c("if: the metric name must also match with or", """
                        - if: 'm{a="1" or b="2"}'
                          action: drop
                        """, "__name__=n b=2", "__name__=n b=2"),
                c(
                        "labeldrop with if",
                        """
                        - if: '{__name__=~"http_.*"}'
                          action: labeldrop
                          regex: path
                        """,
                        "__name__=http_requests path=/x code=200",
                        "__name__=http_requests code=200"),
                // ---- order and cleanup
                c("configs apply in order", """
                        - source_labels: [a]
                          target_label: b
                        - action: keep
                          source_labels: [b]
                          regex: '1'
                        - action: labeldrop
                          regex: a
                        """, "a=1", "b=1"),
                c("empty values are removed at the end", """
                        - action: labelkeep
                          regex: 'a|b'
                        """, "a= b=2 c=3", "b=2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void action(String name, String yaml, String in, String out) throws ScrapeConfigException {
        Relabeler r = RelabelConfigReader.parse(yaml, "case.yml");
        LabelSet labels = labels(in);
        boolean kept = r.apply(labels);
        if (out == null) {
            assertFalse(kept, () -> "expected dropped, got " + labels);
            assertEquals(0, labels.size());
        } else {
            assertTrue(kept, "expected kept");
            assertEquals(map(out), labels.toSortedMap());
        }
    }

    /** A compiled relabeler is shared by targets: the same input gives the same output every time. */
    @Test
    void isReusableAcrossSeries() throws ScrapeConfigException {
        Relabeler r = RelabelConfigReader.parse("""
                - source_labels: [a, b]
                  regex: '(.*);(.*)'
                  target_label: c
                  replacement: $2$1
                """, "r.yml");
        for (int i = 0; i < 3; i++) {
            LabelSet ls = LabelSet.of("a", "x" + i, "b", "y");
            assertTrue(r.apply(ls));
            assertEquals("yx" + i, ls.get("c"));
        }
    }

    @Test
    void emptyKeepsEverythingAsIs() {
        LabelSet ls = LabelSet.of("a", "", "b", "1");
        assertTrue(Relabeler.EMPTY.apply(ls));
        assertEquals(2, ls.size());
        assertSame(Relabeler.EMPTY, Relabeler.compile(List.of()));
        assertTrue(Relabeler.EMPTY.isEmpty());
    }

    @Test
    void compileReportsTheIndex() {
        RelabelConfig ok = new RelabelConfig(null, List.of("a"), null, "b", null, 0, null, List.of());
        RelabelConfig bad = new RelabelConfig("replace", List.of("a"), null, null, null, 0, null, List.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Relabeler.compile(List.of(ok, bad)));
        assertEquals("relabel config 1: missing target_label for action replace", e.getMessage());
        assertEquals(Relabeler.compile(List.of(ok)), Relabeler.compile(List.of(ok)));
    }

    static LabelSet labels(String text) {
        LabelSet ls = new LabelSet();
        if (!text.isEmpty()) {
            for (String pair : text.split(" ")) {
                int eq = pair.indexOf('=');
                ls.add(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return ls;
    }

    static SortedMap<String, String> map(String text) {
        SortedMap<String, String> m = new TreeMap<>();
        labels(text).toSortedMap().forEach(m::put);
        return m;
    }
}
