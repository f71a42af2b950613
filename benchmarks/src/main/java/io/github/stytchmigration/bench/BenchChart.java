package io.github.stytchmigration.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The PNG of a run: one bar chart per measurement that has a comparison, two per row. */
final class BenchChart {
    private BenchChart() {
    }

    /** An empty bar chart in the style of the run's PNG; the measurement adds its series. */
    static CategoryChart bars(String title, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(560).height(360).title(title).yAxisTitle(yTitle).build();
        c.getStyler().setLegendVisible(true);
        c.getStyler().setChartTitleBoxVisible(false);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setXAxisLabelRotation(15);
        return c;
    }

    /**
     * The charts in a grid two wide, in order. Drawn here rather than by XChart's own grid
     * ({@code BitmapEncoder.saveBitmap} with rows and columns), which fails unless the charts fill every cell.
     */
    static void write(List<CategoryChart> charts, Path png) throws IOException {
        int columns = Math.min(2, charts.size());
        int rows = (charts.size() + columns - 1) / columns;
        int width = charts.get(0).getWidth();
        int height = charts.get(0).getHeight();
        BufferedImage grid = new BufferedImage(columns * width, rows * height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(charts.get(0).getStyler().getChartBackgroundColor());
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % columns) * width, (i / columns) * height, null);
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(grid, "png", png.toFile());
    }
}
