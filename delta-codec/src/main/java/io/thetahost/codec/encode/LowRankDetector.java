package io.thetahost.codec.encode;

import java.io.IOException;
import java.util.Optional;

/** Finds factors B, A with target - base close to B times A, when the update is of low rank. */
public interface LowRankDetector {

    /** Factors when the update's rank is low enough to pay; empty otherwise. */
    Optional<LowRankFactors> detect(TensorInput target, TensorInput base, EncoderOptions options) throws IOException;

    LowRankDetector NONE = (target, base, options) -> Optional.empty();

    /**
     * The SVD detector when OpenBLAS's bindings are on the class path (the client has them; the server does not need
     * them).
     */
    static LowRankDetector available() {
        try {
            Class.forName("org.bytedeco.openblas.global.openblas", false, LowRankDetector.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return NONE;
        }
        return new SvdLowRankDetector();
    }
}
