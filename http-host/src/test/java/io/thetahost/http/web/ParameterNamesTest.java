package io.thetahost.http.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.http.compare.ParameterChange;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ParameterNamesTest {
    private static Optional<ParameterNames.Place> place(String name) {
        return ParameterNames.place(name);
    }

    @Test
    void layersAndModuleKindsOfTheUsualFamilies() {
        assertEquals(new ParameterNames.Place(0, "qkv"), place("transformer.h.0.attn.c_attn.weight").orElseThrow());
        assertEquals(new ParameterNames.Place(3, "o"), place("transformer.h.3.attn.c_proj.bias").orElseThrow());
        assertEquals(new ParameterNames.Place(3, "mlp.out"), place("transformer.h.3.mlp.c_proj.weight").orElseThrow());
        assertEquals(new ParameterNames.Place(12, "q"), place("model.layers.12.self_attn.q_proj.weight")
                .orElseThrow());
        assertEquals(new ParameterNames.Place(12, "mlp.gate"), place("model.layers.12.mlp.gate_proj.weight")
                .orElseThrow());
        assertEquals(new ParameterNames.Place(1, "norm"), place("model.layers.1.input_layernorm.weight")
                .orElseThrow());
        assertEquals(new ParameterNames.Place(0, "qkv"),
                place("base_model.model.transformer.h.0.attn.c_attn.lora_A.default.weight").orElseThrow(),
                "an adapter's A and B fall in the cell of the module they adapt");
        assertEquals(new ParameterNames.Place(2, "crossattention.foo"),
                place("encoder.layers.2.crossattention.foo.weight").orElseThrow(), "unknown modules keep their path");
    }

    @Test
    void namesWithoutALayerAreNotPlaced() {
        assertFalse(place("transformer.wte.weight").isPresent());
        assertFalse(place("lm_head.weight").isPresent());
        assertFalse(place("model.layers.x.q_proj.weight").isPresent());
    }

    @Test
    void theHeatmapEscapesNamesAndMarksEachPlacedParameter() {
        ManifestTensor a = new ManifestTensor("model.layers.0.self_attn.q_proj.<b>\"x\"", DType.F32, Shape.of(2),
                TensorId.of(DType.F32, Shape.of(2), new byte[8]));
        ManifestTensor b = new ManifestTensor(a.name(), DType.F32, Shape.of(2), TensorId.of(DType.F32, Shape.of(2),
                new byte[] {0, 0, -128, 63, 0, 0, 0, 0}));
        String svg = Heatmap.svg(List.of(new ParameterChange(a.name(), ParameterChange.Status.CHANGED, a, b, 0.5, 0.5,
                "dense", 8)));
        assertTrue(svg.startsWith("<svg"), svg);
        assertFalse(svg.contains("<b>"), "names are escaped: " + svg);
        assertTrue(svg.contains("&lt;b&gt;&quot;x&quot;"), svg);
        assertTrue(svg.contains("data-change=\"0.500\""), svg);
        assertEquals("", Heatmap.svg(List.of()), "nothing to draw");
    }
}
