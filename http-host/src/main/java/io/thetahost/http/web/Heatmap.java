package io.thetahost.http.web;

import io.thetahost.http.compare.ParameterChange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The comparison as a picture: an SVG grid of relative change per layer (rows) and module kind (columns), drawn on the
 * server so the page needs no script. A cell holds the parameters of that layer and kind (weight and bias, an
 * adapter's A and B); its colour is the largest relative L2 change among them on a log scale from 1e-6 to 1, grey
 * when nothing there changed, and it is hatched over when a parameter there was added or removed. Each cell's
 * tooltip names its parameters with their change, patch kind and bytes. Parameters whose names carry no layer number
 * are listed under the grid.
 */
final class Heatmap {
    static final int CELL_W = 56;
    static final int CELL_H = 18;
    static final int LEFT = 70;
    static final int TOP = 40;

    private Heatmap() {
    }

    /** The parameters that fit no layer, for the page to list under the picture. */
    static List<ParameterChange> unplaced(List<ParameterChange> changes) {
        return changes.stream().filter(c -> ParameterNames.place(c.name()).isEmpty()).toList();
    }

    static String svg(List<ParameterChange> changes) {
        Map<Integer, Map<String, List<ParameterChange>>> cells = new TreeMap<>();
        TreeSet<String> kinds = new TreeSet<>(Comparator.comparingInt(ParameterNames::columnOrder)
                .thenComparing(Comparator.naturalOrder()));
        for (ParameterChange c : changes) {
            Optional<ParameterNames.Place> p = ParameterNames.place(c.name());
            if (p.isPresent()) {
                kinds.add(p.get().module());
                cells.computeIfAbsent(p.get().layer(), l -> new TreeMap<>())
                        .computeIfAbsent(p.get().module(), k -> new ArrayList<>()).add(c);
            }
        }
        if (cells.isEmpty()) {
            return "";
        }
        List<String> columns = new ArrayList<>(kinds);
        int width = Math.max(LEFT + columns.size() * CELL_W + 10, LEFT + 120 + 4 * 60 + 40);
        int height = TOP + cells.size() * CELL_H + 50;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" role=\"img\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\"><title>Relative change per layer and module</title>")
                .append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" ")
                .append("patternTransform=\"rotate(45)\">")
                .append("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#333\" stroke-width=\"2\"/></pattern>")
                .append("</defs><style>text{font:11px sans-serif}</style>");
        for (int i = 0; i < columns.size(); i++) {
            svg.append("<text x=\"").append(LEFT + i * CELL_W + CELL_W / 2).append("\" y=\"").append(TOP - 8)
                    .append("\" text-anchor=\"middle\">").append(Html.escape(shortLabel(columns.get(i))))
                    .append("</text>");
        }
        int row = 0;
        for (Map.Entry<Integer, Map<String, List<ParameterChange>>> layer : cells.entrySet()) {
            int y = TOP + row * CELL_H;
            svg.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(y + CELL_H - 5)
                    .append("\" text-anchor=\"end\">layer ").append(layer.getKey()).append("</text>");
            for (int i = 0; i < columns.size(); i++) {
                List<ParameterChange> in = layer.getValue().get(columns.get(i));
                if (in == null) {
                    continue;
                }
                svg.append("<rect class=\"cell\" x=\"").append(LEFT + i * CELL_W).append("\" y=\"").append(y)
                        .append("\" width=\"").append(CELL_W - 2).append("\" height=\"").append(CELL_H - 2)
                        .append("\" fill=\"").append(fill(in)).append("\" data-change=\"")
                        .append(format(largest(in))).append("\"><title>");
                for (ParameterChange c : in) {
                    svg.append(Html.escape(c.name() + ": " + describe(c))).append('\n');
                }
                svg.append("</title></rect>");
                if (in.stream().anyMatch(c -> c.status() == ParameterChange.Status.ADDED
                        || c.status() == ParameterChange.Status.REMOVED)) {
                    // Hatched over the colour: a parameter came or went here, beside whatever changed.
                    svg.append("<rect class=\"came-or-went\" x=\"").append(LEFT + i * CELL_W).append("\" y=\"")
                            .append(y).append("\" width=\"").append(CELL_W - 2).append("\" height=\"")
                            .append(CELL_H - 2).append("\" fill=\"url(#hatch)\" opacity=\"0.6\" ")
                            .append("pointer-events=\"none\"/>");
                }
            }
            row++;
        }
        int legendY = TOP + cells.size() * CELL_H + 14;
        svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(legendY + 10)
                .append("\">relative L2 change:</text>");
        double[] marks = {1e-6, 1e-4, 1e-2, 1};
        for (int i = 0; i < marks.length; i++) {
            int x = LEFT + 120 + i * 60;
            svg.append("<rect x=\"").append(x).append("\" y=\"").append(legendY).append("\" width=\"14\" ")
                    .append("height=\"12\" fill=\"").append(colour(marks[i])).append("\"/><text x=\"")
                    .append(x + 18).append("\" y=\"").append(legendY + 10).append("\">")
                    .append(String.format(Locale.ROOT, "%.0e", marks[i])).append("</text>");
        }
        return svg.append("</svg>").toString();
    }

    static String describe(ParameterChange c) {
        StringBuilder s = new StringBuilder(c.status().word());
        if (c.relativeL2() != null) {
            s.append(", relative change ").append(format(c.relativeL2()));
        }
        if (c.fractionChanged() != null) {
            s.append(", ").append(String.format(Locale.ROOT, "%.1f%%", 100 * c.fractionChanged()))
                    .append(" of elements");
        }
        if (c.storedAs() != null && c.status() != ParameterChange.Status.UNCHANGED) {
            s.append(", stored ").append(c.storedAs()).append(" in ").append(Html.bytes(c.storedBytes()));
        }
        return s.toString();
    }

    private static String shortLabel(String kind) {
        return kind.length() <= 9 ? kind : kind.substring(0, 8) + "\u2026";
    }

    private static Double largest(List<ParameterChange> in) {
        Double max = null;
        for (ParameterChange c : in) {
            if (c.relativeL2() != null && (max == null || c.relativeL2() > max)) {
                max = c.relativeL2();
            }
        }
        return max;
    }

    /** The largest measured change's colour; grey when nothing changed; blue when what changed was not measured. */
    private static String fill(List<ParameterChange> in) {
        Double max = largest(in);
        if (max != null) {
            return colour(max);
        }
        if (in.stream().allMatch(c -> c.status() == ParameterChange.Status.UNCHANGED)) {
            return "#e8e8e8";
        }
        return in.stream().anyMatch(c -> c.status() == ParameterChange.Status.CHANGED) ? "#b0b0ff" : "#ffffff";
    }

    /** Pale yellow at 1e-6 to dark red at 1 and above, on a log scale. */
    static String colour(double relative) {
        double t = relative <= 0 ? 0 : Math.max(0, Math.min(1, (Math.log10(relative) + 6) / 6));
        int r = (int) Math.round(255 - 100 * t);
        int g = (int) Math.round(240 - 225 * t);
        int b = (int) Math.round(170 - 150 * t);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    static String format(Double relative) {
        return relative == null ? "" : String.format(Locale.ROOT, "%.3g", relative);
    }
}
