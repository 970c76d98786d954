package io.thetahost.client.merge;

import java.util.Locale;

/**
 * How a parameter changed on both sides is merged: take ours, take theirs, or their canonical weighted average
 * ({@code average} is half and half; {@code weighted:W} gives ours the share W).
 *
 * @param weight the share of ours: 1 for ours, 0 for theirs
 */
record MergeStrategy(String name, float weight) {
    static final String CONFIG = "theta.mergeStrategy";
    static final String ENVIRONMENT = "THETA_MERGE_STRATEGY";
    static final String FORMS = "ours, theirs, average or weighted:W (W, between 0 and 1, is ours' share)";

    static final MergeStrategy OURS = new MergeStrategy("ours", 1f);
    static final MergeStrategy THEIRS = new MergeStrategy("theirs", 0f);
    static final MergeStrategy AVERAGE = new MergeStrategy("average", 0.5f);

    /** @throws IllegalArgumentException naming the forms accepted */
    static MergeStrategy parse(String text, String from) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "ours":
                return OURS;
            case "theirs":
                return THEIRS;
            case "average":
            case "avg":
                return AVERAGE;
            default:
                break;
        }
        if (t.startsWith("weighted:")) {
            try {
                float w = Float.parseFloat(t.substring("weighted:".length()));
                if (w >= 0f && w <= 1f) {
                    return w == 0.5f ? AVERAGE : new MergeStrategy("weighted", w);
                }
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new IllegalArgumentException(from + ": unknown merge strategy '" + text.strip() + "'; use " + FORMS);
    }

    boolean isComputed() {
        return weight != 0f && weight != 1f;
    }
}
