package io.thetahost.http.compare;

import io.thetahost.protocol.manifest.ManifestTensor;

/**
 * How one parameter of a checkpoint differs between two revisions.
 *
 * @param before the parameter in the first revision; null when added
 * @param after in the second; null when removed
 * @param relativeL2 {@code ||after - before|| / ||before||} over the elements that are numbers; null when not
 *     computed (not changed, another shape, a dtype without float values, or a zero {@code before})
 * @param fractionChanged the fraction of elements whose bits differ; null when not computed
 * @param storedAs how the server stores {@code after}: {@code dense} or the patch kind ({@code low-rank},
 *     {@code sparse}, ...); null when removed or not stored
 * @param storedBytes the bytes of that stored encoding
 */
public record ParameterChange(String name, Status status, ManifestTensor before, ManifestTensor after,
        Double relativeL2, Double fractionChanged, String storedAs, long storedBytes) {

    public enum Status {
        ADDED, REMOVED, CHANGED, UNCHANGED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
