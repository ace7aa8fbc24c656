package dev.edgepush.testbed.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Grafana dashboard built from rows of panels laid out left to right (24 columns), every
 * panel reading the Prometheus data source chosen in the {@code datasource} variable. Produces
 * the JSON Grafana provisions (schemaVersion 39).
 */
final class Board {
    private static final Map<String, Object> DS = map("type", "prometheus", "uid", "${datasource}");

    /** A query of a panel: PromQL and its legend. */
    record Query(String expr, String legend) {}

    private final String uid;
    private final String title;
    private final String description;
    private final List<Object> variables = new ArrayList<>();
    private final List<Object> panels = new ArrayList<>();
    private int x;
    private int y;
    private int rowHeight;
    private int nextId = 1;

    Board(String uid, String title, String description) {
        this.uid = uid;
        this.title = title;
        this.description = description;
        variables.add(map(
                "name",
                "datasource",
                "label",
                "Data source",
                "type",
                "datasource",
                "query",
                "prometheus",
                "current",
                map(),
                "hide",
                0));
    }

    /** A single-valued query variable {@code name} filled from {@code label_values(...)}. */
    Board variable(String name, String label, String labelValuesQuery) {
        variables.add(map(
                "name",
                name,
                "label",
                label,
                "type",
                "query",
                "datasource",
                DS,
                "definition",
                labelValuesQuery,
                "query",
                map("query", labelValuesQuery, "refId", "PrometheusVariableQueryEditor-VariableQuery"),
                "refresh",
                2,
                "sort",
                1,
                "includeAll",
                false,
                "multi",
                false,
                "current",
                map(),
                "hide",
                0));
        return this;
    }

    /** Starts a new row titled {@code title}. */
    Board row(String title) {
        newLine();
        panels.add(map(
                "type",
                "row",
                "title",
                title,
                "id",
                nextId++,
                "collapsed",
                false,
                "gridPos",
                map("h", 1, "w", 24, "x", 0, "y", y),
                "panels",
                List.of()));
        y += 1;
        return this;
    }

    /** A time series panel {@code width} columns wide. */
    Board graph(String title, String unit, int width, Query... queries) {
        return panel("timeseries", title, unit, width, 8, queries);
    }

    /** A single-number panel showing the last value. */
    Board stat(String title, String unit, int width, Query... queries) {
        return panel("stat", title, unit, width, 4, queries);
    }

    static Query q(String expr, String legend) {
        return new Query(expr, legend);
    }

    private Board panel(String type, String title, String unit, int width, int height, Query... queries) {
        if (x + width > 24) {
            newLine();
        }
        List<Object> targets = new ArrayList<>();
        char ref = 'A';
        for (Query q : queries) {
            targets.add(map(
                    "refId",
                    String.valueOf(ref++),
                    "datasource",
                    DS,
                    "expr",
                    q.expr(),
                    "legendFormat",
                    q.legend(),
                    "range",
                    true,
                    "instant",
                    false));
        }
        Map<String, Object> options = type.equals("stat")
                ? map(
                        "reduceOptions",
                        map("calcs", List.of("lastNotNull"), "fields", "", "values", false),
                        "colorMode",
                        "value",
                        "graphMode",
                        "area",
                        "textMode",
                        "auto")
                : map(
                        "legend",
                        map("displayMode", "list", "placement", "bottom", "showLegend", true),
                        "tooltip",
                        map("mode", "multi", "sort", "desc"));
        panels.add(map(
                "type",
                type,
                "title",
                title,
                "id",
                nextId++,
                "datasource",
                DS,
                "gridPos",
                map("h", height, "w", width, "x", x, "y", y),
                "fieldConfig",
                map("defaults", map("unit", unit), "overrides", List.of()),
                "options",
                options,
                "targets",
                targets));
        x += width;
        rowHeight = Math.max(rowHeight, height);
        return this;
    }

    private void newLine() {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
    }

    String uid() {
        return uid;
    }

    /** The dashboard as Grafana JSON. */
    String json() {
        return Json.write(map(
                "uid",
                uid,
                "title",
                title,
                "description",
                description,
                "tags",
                List.of("edgepush"),
                "timezone",
                "browser",
                "editable",
                true,
                "schemaVersion",
                39,
                "version",
                1,
                "refresh",
                "30s",
                "time",
                map("from", "now-3h", "to", "now"),
                "templating",
                map("list", variables),
                "annotations",
                map("list", List.of()),
                "panels",
                panels));
    }

    /** An insertion-ordered map of alternating keys and values. */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
