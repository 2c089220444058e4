package io.tandem.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One part's results as a markdown table. Each row also keeps the raw figures it was made from,
 * so the smoke test can check that every measurement produced finite numbers without ever
 * asserting what they are.
 */
final class Table {

  /** Ratios closer to 1 than this are reported as a tie: the machines are that noisy. */
  static final double TIE = 1.5;

  record Row(List<String> cells, double[] figures) {}

  final String title;
  private final List<String> header;
  final List<Row> rows = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  Table(String title, String... header) {
    this.title = title;
    this.header = List.of(header);
  }

  void add(double[] figures, String... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, header "
          + header.size());
    }
    rows.add(new Row(List.of(cells), figures.clone()));
  }

  void note(String text) {
    notes.add(text);
  }

  String markdown() {
    StringBuilder b = new StringBuilder("### ").append(title).append("\n\n");
    line(b, header);
    line(b, header.stream().map(h -> "---").toList());
    rows.forEach(r -> line(b, r.cells()));
    if (!notes.isEmpty()) {
      b.append('\n');
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells) {
    b.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  /**
   * How Tandem compares, where lower is better for both: {@code advantage} is the peer's figure
   * divided by Tandem's. Under {@link #TIE} either way it is a tie.
   */
  static String versus(double advantage, String better, String worse) {
    if (advantage >= TIE) {
      return num(advantage) + "x " + better;
    }
    if (advantage <= 1 / TIE) {
      return num(1 / advantage) + "x " + worse;
    }
    return "tie (" + num(advantage) + "x)";
  }

  /** The spread of advantages over repeats, as {@code min–max}. */
  static String range(double... advantages) {
    double min = Arrays.stream(advantages).min().orElse(Double.NaN);
    double max = Arrays.stream(advantages).max().orElse(Double.NaN);
    return advantages.length == 1 || min == max ? num(min) + "x"
        : num(min) + "–" + num(max) + "x";
  }

  /** Two or three significant digits, plainly. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    double a = Math.abs(v);
    String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, f, v);
  }

  static String bytes(double v) {
    return String.format(Locale.ROOT, "%,.0f B", v);
  }

  static String met(boolean ok) {
    return ok ? "met" : "**missed**";
  }
}
