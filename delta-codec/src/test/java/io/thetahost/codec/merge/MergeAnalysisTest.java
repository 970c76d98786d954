package io.thetahost.codec.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameter-level 3-way merge rules, on manifests made here: each parameter F32 [2] unless said otherwise. */
class MergeAnalysisTest {

    /** A manifest with these parameters, each holding the value given (its tensor is [v, v]). */
    private static Manifest manifest(Object... nameValue) throws Exception {
        Map<String, Integer> values = new LinkedHashMap<>();
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            String name = (String) nameValue[i];
            int v = (Integer) nameValue[i + 1];
            values.put(name, v);
            specs.add(new TensorSpec(name, DType.F32, v < 0 ? Shape.of(3) : Shape.of(2)));
        }
        SafetensorsHeader h = SafetensorsHeader.build(null, specs);
        List<TensorId> ids = new ArrayList<>();
        h.tensors().forEach(e -> ids.add(id(values.get(e.name()), e.shape())));
        return Manifest.of(h, ids, List.of());
    }

    private static TensorId id(int v, Shape shape) {
        byte[] raw = new byte[(int) shape.elements() * 4];
        java.util.Arrays.fill(raw, (byte) v);
        return TensorId.of(DType.F32, shape, raw);
    }

    private static TensorId id(int v) {
        return id(v, Shape.of(2));
    }

    @Test
    void aParameterChangedOnOneSideIsTakenFromThatSide() throws Exception {
        MergeAnalysis.Analysis a = MergeAnalysis.analyze(manifest("x", 1, "y", 1, "z", 1),
                manifest("x", 2, "y", 1, "z", 1), manifest("x", 1, "y", 3, "z", 1));
        assertEquals(List.of(), a.conflicts());
        assertEquals(List.of(), a.problems());
        assertEquals(Map.of("x", id(2), "y", id(3), "z", id(1)), a.ids());
        assertEquals(1, a.fromOurs());
        assertEquals(1, a.fromTheirs());
        assertEquals(manifest("x", 2, "y", 3, "z", 1), a.result(Map.of()));
    }

    @Test
    void theSameChangeOnBothSidesIsNoConflict() throws Exception {
        MergeAnalysis.Analysis a = MergeAnalysis.analyze(manifest("x", 1), manifest("x", 2), manifest("x", 2));
        assertEquals(List.of(), a.conflicts());
        assertEquals(Map.of("x", id(2)), a.ids());
    }

    @Test
    void differentChangesOnBothSidesAreAConflictForTheStrategy() throws Exception {
        MergeAnalysis.Analysis a = MergeAnalysis.analyze(manifest("x", 1, "y", 1), manifest("x", 2, "y", 1),
                manifest("x", 3, "y", 1));
        assertEquals(1, a.conflicts().size());
        MergeAnalysis.Conflict c = a.conflicts().get(0);
        assertEquals("x", c.name());
        assertEquals(id(2), c.ours().id());
        assertEquals(id(3), c.theirs().id());
        assertEquals(manifest("x", 5, "y", 1), a.result(Map.of("x", id(5))));
    }

    @Test
    void addedAndRemovedParametersAreTakenFromTheSideThatDidItAndReported() throws Exception {
        MergeAnalysis.Analysis added = MergeAnalysis.analyze(manifest("x", 1), manifest("x", 1),
                manifest("x", 1, "lora", 4));
        assertEquals(List.of("lora: added by theirs"), added.notes());
        assertEquals(manifest("x", 1, "lora", 4), added.result(Map.of()));

        MergeAnalysis.Analysis removed = MergeAnalysis.analyze(manifest("x", 1, "y", 1), manifest("x", 2),
                manifest("x", 1, "y", 1));
        assertEquals(List.of("y: removed by ours"), removed.notes());
        assertEquals(manifest("x", 2), removed.result(Map.of()));
    }

    @Test
    void whatNoSideCanSettleIsAProblemNamingTheParameter() throws Exception {
        MergeAnalysis.Analysis changedAndRemoved = MergeAnalysis.analyze(manifest("x", 1, "y", 1),
                manifest("x", 1), manifest("x", 1, "y", 2));
        assertEquals(List.of("y: removed by ours but changed by theirs"), changedAndRemoved.problems());

        MergeAnalysis.Analysis shapes = MergeAnalysis.analyze(manifest("x", 1), manifest("x", 2),
                manifest("x", -3));
        assertEquals(1, shapes.problems().size());
        assertTrue(shapes.problems().get(0).startsWith("x: changed on both sides to different shapes or dtypes"),
                shapes.problems().get(0));

        MergeAnalysis.Analysis layout = MergeAnalysis.analyze(manifest("x", 1), manifest("x", 1, "a", 1),
                manifest("x", 1, "b", 1));
        assertTrue(layout.problems().get(0).contains("match neither side's checkpoint layout"),
                layout.problems().toString());
    }
}
