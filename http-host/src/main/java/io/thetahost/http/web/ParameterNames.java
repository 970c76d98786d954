package io.thetahost.http.web;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a parameter sits in a transformer, read from its name: the layer (the number after {@code layers.},
 * {@code h.}, {@code blocks.}, {@code layer.}, ...) and the module kind after it ({@code q}, {@code k}, {@code v},
 * {@code o}, {@code qkv}, {@code mlp.up}, ... for the usual names; else the module path itself, without
 * {@code weight}/{@code bias} and adapter suffixes). Names with no layer number (embeddings, final norms) have none,
 * and the heatmap lists them apart.
 */
final class ParameterNames {
    private static final Pattern LAYER = Pattern.compile(
            "(?:^|\\.)(?:layers|layer|h|blocks|block|decoder\\.layers|encoder\\.layers)\\.(\\d{1,6})\\.(.+)$");
    private static final List<String> DROPPED = List.of("weight", "bias", "default", "lora_A", "lora_B",
            "lora_embedding_A", "lora_embedding_B", "base_layer", "scale", "g", "b");

    /** A layer and a module kind. */
    record Place(int layer, String module) {
    }

    private ParameterNames() {
    }

    static Optional<Place> place(String name) {
        Matcher m = LAYER.matcher(name);
        if (!m.find()) {
            return Optional.empty();
        }
        int layer = Integer.parseInt(m.group(1));
        List<String> parts = new java.util.ArrayList<>(List.of(m.group(2).split("\\.")));
        parts.removeIf(DROPPED::contains);
        if (parts.isEmpty()) {
            return Optional.of(new Place(layer, "other"));
        }
        return Optional.of(new Place(layer, kind(String.join(".", parts))));
    }

    /** The usual module names, shortened to what people call them. */
    static String kind(String module) {
        String last = module.substring(module.lastIndexOf('.') + 1);
        boolean mlp = module.contains("mlp") || module.contains("ffn") || module.contains("feed_forward");
        switch (last) {
            case "q_proj", "query", "q", "wq":
                return "q";
            case "k_proj", "key", "k", "wk":
                return "k";
            case "v_proj", "value", "v", "wv":
                return "v";
            case "o_proj", "out_proj", "wo", "dense":
                return mlp ? "mlp.out" : "o";
            case "c_attn", "qkv_proj", "query_key_value", "Wqkv":
                return "qkv";
            case "c_proj":
                return mlp ? "mlp.out" : "o";
            case "gate_proj", "w1":
                return "mlp.gate";
            case "up_proj", "c_fc", "fc1", "w3":
                return "mlp.up";
            case "down_proj", "fc2", "w2":
                return "mlp.down";
            default:
                if (last.contains("norm") || last.startsWith("ln")) {
                    return "norm";
                }
                return module;
        }
    }

    /** Columns in the order people read a block: attention, then MLP, then norms, then the rest by name. */
    static int columnOrder(String kind) {
        List<String> order = List.of("q", "k", "v", "qkv", "o", "mlp.gate", "mlp.up", "mlp.down", "mlp.out", "norm");
        int i = order.indexOf(kind);
        return i >= 0 ? i : order.size();
    }
}
