package io.thetahost.protocol.manifest;

import static io.thetahost.protocol.Fixtures.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merges a merge commit's manifest declares: written canonically, read back, and refused when inconsistent. */
class DeclaredMergeFormatTest {
    private static final TensorId OURS = TensorId.of(DType.U8, Shape.of(2), new byte[] {1, 1});
    private static final TensorId THEIRS = TensorId.of(DType.U8, Shape.of(2), new byte[] {3, 3});

    private static Manifest manifest() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.build(null, List.of(new TensorSpec("w", DType.U8, Shape.of(2)),
                new TensorSpec("x", DType.U8, Shape.of(1))));
        return Checkpoints.split(new ByteArrayInputStream(file(h.bytes(), new byte[] {2, 2, 7})),
                SafetensorsLimits.defaults(), TensorSink.DISCARD);
    }

    @Test
    void aDeclaredAverageIsWrittenAfterTheGapsAndReadBack() throws IOException {
        Manifest m = manifest();
        Manifest merged = m.withMerges(List.of(DeclaredMerge.weighted("w", OURS, THEIRS, 0.5f)));
        String text = new String(ManifestFormat.write(merged), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("  \"gaps\": [],\n  \"merges\": [\n    {\"name\": \"w\", \"strategy\": \"average\", "
                + "\"ours\": \"" + OURS + "\", \"theirs\": \"" + THEIRS + "\", \"weight\": 0.5}\n  ]\n}\n"), text);
        Manifest read = ManifestFormat.read(ManifestFormat.write(merged));
        assertEquals(merged, read);
        assertEquals(List.of(DeclaredMerge.weighted("w", OURS, THEIRS, 0.5f)), read.merges());
        assertEquals(m, read.withMerges(List.of()), "the same checkpoint once the declarations are dropped");
    }

    @Test
    void aManifestWithoutMergesIsWrittenAsBefore() throws IOException {
        String text = new String(ManifestFormat.write(manifest()), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("  \"gaps\": []\n}\n") && !text.contains("merges"), text);
    }

    @Test
    void inconsistentDeclarationsAreRefusedByName() throws IOException {
        Manifest m = manifest();
        String good = new String(ManifestFormat.write(m.withMerges(List.of(
                DeclaredMerge.weighted("w", OURS, THEIRS, 0.5f)))), StandardCharsets.UTF_8);
        assertEquals("merge 0: unknown merge strategy 'median' (expected ours, theirs, average or weighted)",
                refused(good.replace("\"average\"", "\"median\"")));
        assertEquals("merge 0: a merge by average has the weight 0.5, not 0.75",
                refused(good.replace("\"weight\": 0.5", "\"weight\": 0.75")));
        assertEquals("a merge is declared for v, which the checkpoint does not have",
                refused(good.replace("{\"name\": \"w\", \"strategy\"", "{\"name\": \"v\", \"strategy\"")));
        assertTrue(refused(good.replace("\"weight\": 0.5", "\"weight\": 0.50")).startsWith(
                "manifest is not in canonical form"));
        assertTrue(refused(good.replace("\"strategy\": \"average\"", "\"strategy\": \"ours\"")
                .replace("\"weight\": 0.5", "\"weight\": 1.0")).startsWith("the merge of w says it took ours"));
        assertEquals("manifest is not in canonical form: an empty merges list is left out",
                refused(new String(ManifestFormat.write(m), StandardCharsets.UTF_8)
                        .replace("\"gaps\": []\n", "\"gaps\": [],\n  \"merges\": []\n")));
        assertThrows(IllegalArgumentException.class, () -> m.withMerges(List.of(
                DeclaredMerge.theirs("w", OURS, THEIRS))), "theirs is not the checkpoint's tensor");
    }

    private static String refused(String text) {
        return assertThrows(InvalidManifestException.class,
                () -> ManifestFormat.read(text.getBytes(StandardCharsets.UTF_8))).getMessage();
    }
}
