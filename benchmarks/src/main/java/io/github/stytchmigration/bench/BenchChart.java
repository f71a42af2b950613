package io.github.stytchmigration.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The PNG of a run: four bar charts, one per figure that has a comparison. */
final class BenchChart {
    private double passWith = Double.NaN;
    private double passWithout = Double.NaN;
    private final List<String> callbackLabels = new ArrayList<>();
    private final List<Number> callbackRates = new ArrayList<>();
    private final List<Number> callbackP50 = new ArrayList<>();
    private final List<Number> callbackP99 = new ArrayList<>();
    private final List<String> scaleLabels = new ArrayList<>();
    private final List<Number> scaleSmall = new ArrayList<>();
    private final List<Number> scaleLarge = new ArrayList<>();
    private double heapFirst = Double.NaN;
    private double heapSecond = Double.NaN;
    private long threadsFirst;
    private long threadsSecond;
    private int memoryFirst;
    private int memorySecond;

    void passThrough(double with, double without) {
        passWith = Math.round(with);
        passWithout = Math.round(without);
    }

    void callback(String label, double perSecond, double p50, double p99) {
        callbackLabels.add(label.replace("filter ", "").replace("floor, ", "floor: "));
        callbackRates.add(Math.round(perSecond));
        callbackP50.add(p50);
        callbackP99.add(p99);
    }

    void scale(String outcome, double small, double large) {
        scaleLabels.add(outcome);
        scaleSmall.add(Math.round(small * 1000) / 1000.0);
        scaleLarge.add(Math.round(large * 1000) / 1000.0);
    }

    void memory(double heapFirst, double heapSecond, long threadsFirst, long threadsSecond, int first, int second) {
        this.heapFirst = Math.round(heapFirst * 10) / 10.0;
        this.heapSecond = Math.round(heapSecond * 10) / 10.0;
        this.threadsFirst = threadsFirst;
        this.threadsSecond = threadsSecond;
        this.memoryFirst = first;
        this.memorySecond = second;
    }

    void write(Path png) throws IOException {
        List<Chart<?, ?>> charts = new ArrayList<>();

        CategoryChart pass = chart("1. Pass-through (non-callback request)", "requests/s");
        pass.addSeries("requests/s", List.of("without filter", "with filter"), List.of(passWithout, passWith));
        charts.add(pass);

        CategoryChart callbacks = chart("2. Callbacks end-to-end (filter vs floor)", "callbacks/s");
        callbacks.addSeries("callbacks/s", callbackLabels, callbackRates);
        charts.add(callbacks);

        CategoryChart scale = chart("4. Link-or-create p50 by table size", "ms");
        scale.addSeries("small table", scaleLabels, scaleSmall);
        scale.addSeries("large table", scaleLabels, scaleLarge);
        charts.add(scale);

        CategoryChart memory = chart("5. Heap after full GC (MB) and threads", "");
        memory.addSeries("after " + memoryFirst, List.of("heap MB", "threads"), List.of(heapFirst, threadsFirst));
        memory.addSeries("after " + memorySecond, List.of("heap MB", "threads"), List.of(heapSecond, threadsSecond));
        charts.add(memory);

        BitmapEncoder.saveBitmap(charts, 2, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static CategoryChart chart(String title, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(560).height(360).title(title).yAxisTitle(yTitle).build();
        c.getStyler().setLegendVisible(true);
        c.getStyler().setChartTitleBoxVisible(false);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setXAxisLabelRotation(15);
        return c;
    }
}
