package io.thetahost.protocol.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * Jackson configured for untrusted documents. The safetensors header and the manifest are both read from files an
 * attacker may have written, so both must bound what Jackson will hold (nesting, numbers, strings, names, the whole
 * document) and keep attacker-chosen names out of shared symbol tables; this class says that once, and each format
 * supplies only the limits its own documents need.
 */
public final class StrictJson {
    /** Deeper than either format nests (the manifest: object, array, object, array), shallow enough to be cheap. */
    private static final int MAX_NESTING = 8;
    /** Room for every long and for integers just past one, so a message can name a too-large integer's value. */
    private static final int MAX_NUMBER_LENGTH = 20;

    private StrictJson() {
    }

    /**
     * A JSON factory for one untrusted document.
     *
     * @param maxStringLength the longest string value, in characters
     * @param maxNameLength the longest key, in characters
     * @param maxDocumentLength the longest document, in characters
     */
    public static JsonFactory factory(int maxStringLength, int maxNameLength, int maxDocumentLength) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(maxStringLength)
                        .maxNameLength(maxNameLength)
                        .maxDocumentLength(maxDocumentLength)
                        .build())
                // No shared symbol table for attacker-chosen names (memory, hash collisions).
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
    }
}
