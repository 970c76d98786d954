package io.thetahost.http.compare;

import io.thetahost.protocol.tensor.TensorId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The measured differences between pairs of tensors, most recently used kept: the same two versions of a parameter
 * always differ the same way, and a comparison page is reloaded more often than its tensors change. Memory: at most
 * {@link #ENTRIES} small records.
 */
public final class DifferenceCache {
    static final int ENTRIES = 100_000;
    private final Map<String, TensorDifference.Result> results = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TensorDifference.Result> eldest) {
            return size() > ENTRIES;
        }
    };

    synchronized TensorDifference.Result get(TensorId before, TensorId after) {
        return results.get(before + " " + after);
    }

    synchronized void put(TensorId before, TensorId after, TensorDifference.Result result) {
        results.put(before + " " + after, result);
    }
}
