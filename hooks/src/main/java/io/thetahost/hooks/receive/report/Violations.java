package io.thetahost.hooks.receive.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one ref update broke. Memory is bounded whatever the push: at most {@code perRule} violations are kept for
 * each rule, the rest only counted.
 */
public final class Violations {
    private final int perRule;
    private final Map<String, List<Violation>> kept = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final Map<String, Set<String>> fixes = new LinkedHashMap<>();

    public Violations(int perRule) {
        this.perRule = perRule;
    }

    public void add(Violation v) {
        counts.merge(v.rule(), 1, Integer::sum);
        List<Violation> list = kept.computeIfAbsent(v.rule(), r -> new ArrayList<>());
        if (list.size() < perRule) {
            list.add(v);
        }
        if (v.fix() != null) {
            Set<String> f = fixes.computeIfAbsent(v.rule(), r -> new LinkedHashSet<>());
            if (f.size() < perRule) {
                f.add(v.fix());
            }
        }
    }

    /** Adds what another collection holds, counts included (a checkpoint's violations, shared by the refs). */
    public void addAll(Violations other) {
        for (Map.Entry<String, List<Violation>> e : other.kept.entrySet()) {
            String rule = e.getKey();
            List<Violation> list = kept.computeIfAbsent(rule, r -> new ArrayList<>());
            for (Violation v : e.getValue()) {
                if (list.size() < perRule) {
                    list.add(v);
                }
            }
            counts.merge(rule, other.counts.get(rule), Integer::sum);
            Set<String> f = fixes.computeIfAbsent(rule, r -> new LinkedHashSet<>());
            for (String fix : other.fixes.getOrDefault(rule, Set.of())) {
                if (f.size() < perRule) {
                    f.add(fix);
                }
            }
        }
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    public int count() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * The short reason git prints in {@code ! [remote rejected] REF (REASON)}: the first rule broken and its first
     * message, then how many problems there are in all.
     */
    public String reason() {
        Violation first = kept.values().iterator().next().get(0);
        int n = count();
        String message = first.message();
        if (message.length() > 100) {
            message = message.substring(0, 97) + "...";
        }
        return first.rule() + ": " + message + (n > 1 ? " (" + n + " problems in all)" : "");
    }

    /** The {@code remote:} lines for a rejected ref, without git's prefix: what, where, and what to do. */
    public List<String> lines(String ref) {
        List<String> out = new ArrayList<>();
        int n = count();
        out.add(ref + " rejected: " + n + (n == 1 ? " problem" : " problems"));
        for (Map.Entry<String, List<Violation>> e : kept.entrySet()) {
            for (Violation v : e.getValue()) {
                out.add("  " + v.line());
            }
            int rest = counts.get(e.getKey()) - e.getValue().size();
            if (rest > 0) {
                out.add("  ... and " + rest + " more [" + e.getKey() + "]");
            }
            for (String fix : fixes.getOrDefault(e.getKey(), Set.of())) {
                out.add("  to fix: " + fix);
            }
        }
        return out;
    }
}
