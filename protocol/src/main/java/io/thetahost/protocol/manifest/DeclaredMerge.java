package io.thetahost.protocol.manifest;

import io.thetahost.protocol.tensor.TensorId;
import java.util.Objects;
import java.util.Set;

/**
 * How a merge commit's checkpoint resolved a parameter both parents changed, recorded in its manifest so the server
 * can recompute it: the tensor is {@code ours} ({@code ours}), {@code theirs} ({@code theirs}), or their canonical
 * weighted average with {@code weight} for ours and {@code 1 - weight} for theirs ({@code average} is weight 0.5,
 * {@code weighted} any other).
 *
 * @param name the parameter
 * @param ours the tensor of the first parent (the branch merged into)
 * @param theirs the tensor of the second parent
 */
public record DeclaredMerge(String name, String strategy, TensorId ours, TensorId theirs, float weight) {
    public static final Set<String> STRATEGIES = Set.of("ours", "theirs", "average", "weighted");

    public DeclaredMerge {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ours, "ours");
        Objects.requireNonNull(theirs, "theirs");
        String problem = problem(strategy, weight);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** What is wrong with a strategy and weight, or null. */
    static String problem(String strategy, float weight) {
        if (!STRATEGIES.contains(strategy)) {
            return "unknown merge strategy '" + strategy + "' (expected ours, theirs, average or weighted)";
        }
        if (!(weight >= 0f && weight <= 1f)) {
            return "merge weight " + weight + " is not between 0 and 1";
        }
        float expected = switch (strategy) {
            case "ours" -> 1f;
            case "theirs" -> 0f;
            case "average" -> 0.5f;
            default -> weight;
        };
        return weight == expected ? null : "a merge by " + strategy + " has the weight " + expected + ", not " + weight;
    }

    public static DeclaredMerge ours(String name, TensorId ours, TensorId theirs) {
        return new DeclaredMerge(name, "ours", ours, theirs, 1f);
    }

    public static DeclaredMerge theirs(String name, TensorId ours, TensorId theirs) {
        return new DeclaredMerge(name, "theirs", ours, theirs, 0f);
    }

    /** A weighted average; weight 0.5 is {@code average}. */
    public static DeclaredMerge weighted(String name, TensorId ours, TensorId theirs, float weight) {
        return new DeclaredMerge(name, weight == 0.5f ? "average" : "weighted", ours, theirs, weight);
    }
}
