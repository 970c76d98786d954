package io.thetahost.hooks.receive.branches;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jgit.lib.Config;

/**
 * Branch rules as a repository's {@code config} keeps them, one subsection per pattern. The config is read on every
 * push, so a rule an admin adds applies to the next push, daemon running or not:
 *
 * <pre>
 * [thetahost-protect "release/*"]
 *     onlyParameters = *lora*
 *     allowShapeChanges = true
 *     allowForcePush = false
 * </pre>
 */
public final class BranchRules {
    static final String SECTION = "thetahost-protect";
    private static final String ONLY_PARAMETERS = "onlyParameters";
    private static final String ALLOW_SHAPE_CHANGES = "allowShapeChanges";
    private static final String ALLOW_FORCE_PUSH = "allowForcePush";
    /** A glob no parameter name matches (names come from JSON keys a checkpoint writer chose, never a lone NUL). */
    private static final String NO_PARAMETER = "\u0000";

    private BranchRules() {
    }

    /**
     * Every rule in the config, in pattern order. A hand-edited subsection that does not parse protects its branches
     * fully (no force push, no shape change, nothing changeable): a broken rule must not open a branch.
     */
    public static List<BranchRule> read(Config config) {
        List<BranchRule> rules = new ArrayList<>();
        for (String pattern : config.getSubsections(SECTION).stream().sorted().toList()) {
            BranchPattern parsed;
            try {
                parsed = BranchPattern.parse(pattern);
            } catch (IllegalArgumentException e) {
                continue; // no branch can match a pattern no branch name can have
            }
            try {
                // An empty value ("onlyParameters =") reads as null: an empty glob, which the rule refuses.
                rules.add(new BranchRule(parsed, Arrays.stream(config.getStringList(SECTION, pattern, ONLY_PARAMETERS))
                        .map(g -> g == null ? "" : g).toList(),
                        config.getBoolean(SECTION, pattern, ALLOW_SHAPE_CHANGES, false),
                        config.getBoolean(SECTION, pattern, ALLOW_FORCE_PUSH, false)));
            } catch (IllegalArgumentException e) {
                rules.add(new BranchRule(parsed, List.of(NO_PARAMETER), false, false));
            }
        }
        return rules;
    }

    /** The rules that cover a branch (its name without {@code refs/heads/}). */
    public static List<BranchRule> covering(List<BranchRule> rules, String branch) {
        return rules.stream().filter(r -> r.covers(branch)).toList();
    }

    /** Adds a rule, or replaces the one with the same pattern. */
    public static void write(Config config, BranchRule rule) {
        String p = rule.pattern().toString();
        config.unsetSection(SECTION, p);
        if (!rule.onlyParameters().isEmpty()) {
            config.setStringList(SECTION, p, ONLY_PARAMETERS, rule.onlyParameters());
        }
        config.setBoolean(SECTION, p, ALLOW_SHAPE_CHANGES, rule.allowShapeChanges());
        config.setBoolean(SECTION, p, ALLOW_FORCE_PUSH, rule.allowForcePush());
    }

    /** @return whether there was a rule with that pattern */
    public static boolean remove(Config config, BranchPattern pattern) {
        boolean had = config.getSubsections(SECTION).contains(pattern.toString());
        config.unsetSection(SECTION, pattern.toString());
        return had;
    }
}
