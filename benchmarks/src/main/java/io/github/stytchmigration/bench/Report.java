package io.github.stytchmigration.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.CategoryChart;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run reports: progress lines as they happen, then a table with each figure beside its target,
 * the figures as one line of JSON, and the measurements' charts.
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String[]> rows = new ArrayList<>();
    private final List<CategoryChart> charts = new ArrayList<>();

    Report(PrintStream out) {
        this.out = out;
    }

    void progress(String line) {
        out.println("[bench] " + line);
        out.flush();
    }

    /** A figure of the JSON, in the order reported; one that could not be computed (NaN, infinite) is {@code null}. */
    void figure(String key, Object value) {
        figures.put(key, value instanceof Double && !Double.isFinite((Double) value) ? null : value);
    }

    Object figure(String key) {
        return figures.get(key);
    }

    /** The part of the report of measurement {@code number} (of {@code count}). */
    Section section(int number, int count) {
        return new Section(number, count);
    }

    /** The figures on one line. */
    String json() throws JsonProcessingException {
        return JSON.writeValueAsString(figures);
    }

    /** The title, the table, and the last line {@code BENCHMARK {json}}. */
    String text(Mode mode) throws JsonProcessingException {
        int[] w = {11, 5, 6, 6};
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        String fmt = "| %-" + w[0] + "s | %-" + w[1] + "s | %-" + w[2] + "s | %-" + w[3] + "s |%n";
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%nstytch-migration benchmark (%s): %s cores, %s%n", mode.label(),
                figure("cores"), figure("java")));
        s.append(String.format(Locale.ROOT, fmt, "measurement", "value (median [min..max] over rounds)", "target", "result"));
        s.append(String.format(Locale.ROOT, fmt, "-".repeat(w[0]), "-".repeat(w[1]), "-".repeat(w[2]), "-".repeat(w[3])));
        for (String[] r : rows) {
            s.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        }
        s.append(Benchmark.LINE_PREFIX).append(json()).append(System.lineSeparator());
        return s.toString();
    }

    /** The charts, two per row; nothing when no measurement drew one. */
    void writeChart(Path png) throws IOException {
        if (!charts.isEmpty()) {
            BenchChart.write(charts, png);
        }
    }

    /** One measurement's part: its number goes before its headings, rows and chart title. */
    final class Section {
        private final int number;
        private final int count;

        private Section(int number, int count) {
            this.number = number;
            this.count = count;
        }

        int number() {
            return number;
        }

        /** "[bench] 2/5 {@code text}": what the measurement is about to do. */
        void heading(String text) {
            progress(number + "/" + count + " " + text);
        }

        /** An indented progress line under the heading. */
        void detail(String text) {
            progress("    " + text);
        }

        void figure(String key, Object value) {
            Report.this.figure(key, value);
        }

        /** A figure rounded to {@code digits} decimals. */
        void figure(String key, double value, int digits) {
            figure(key, Stats.round(value, digits));
        }

        /** A row that only shows a figure. */
        void row(String label, String value) {
            add(label, value, "", "");
        }

        /** A row with a target, PASS or FAIL. */
        void row(String label, String value, String target, boolean pass) {
            add(label, value, target, pass ? "PASS" : "FAIL");
        }

        /** A row whose figure has no target but is reported against one ("report", "-"). */
        void reportRow(String label, String value) {
            add(label, value, "report", "-");
        }

        /** This measurement's bar chart in the run's PNG, titled "N. {@code title}". */
        CategoryChart chart(String title, String yTitle) {
            CategoryChart chart = BenchChart.bars(number + ". " + title, yTitle);
            charts.add(chart);
            return chart;
        }

        private void add(String label, String value, String target, String result) {
            rows.add(new String[]{number + " " + label, value, target, result});
        }
    }
}
